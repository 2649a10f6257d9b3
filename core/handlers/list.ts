/** GET of a collection: selectors and paging applied by core over the store's list. */
import type { KubeObject } from '../types/object.ts';
import { negotiateResource } from '../negotiation.ts';
import { parseSelection, type Selection } from '../selection.ts';
import { cutPage, decodeContinue, expiredContinue } from '../paging.ts';
import { selectObjects } from '../registry/list.ts';
import { ListSnapshots } from '../list-snapshots.ts';
import { badRequest, expired, tooLargeResourceVersion } from '../status.ts';
import { sleep } from '../../lib/sleep.ts';
import { parseListOptions } from './options.ts';
import { replyList } from './present.ts';
import type { Reply, ResourceRequest } from './request.ts';

export async function listObjects(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: true, read: true });
  const options = parseListOptions(req.info.query, false);
  const selection = parseSelection(options.labelSelector, options.fieldSelector, req.resource.namespaced);
  checkListVersion(options.resourceVersion, options.continueToken);
  const cont = options.continueToken ? decodeContinue(options.continueToken) : undefined;
  const list = listIdentity(req, options.labelSelector, options.fieldSelector);
  let sorted: readonly KubeObject[];
  let listVersion: string;
  let snapshotId = cont?.snapshot;
  if (snapshotId !== undefined) {
    // Later pages come from the first page's list, as it was (list-snapshots.ts).
    const snapshot = listSnapshots.get(snapshotId, list);
    if (!snapshot) throw expiredContinue(cont!.after, (await selectObjects(req, selection)).resourceVersion);
    sorted = snapshot.items;
    listVersion = snapshot.resourceVersion;
  } else {
    const selected = await selectAtVersion(req, selection, options.resourceVersion, options.resourceVersionMatch);
    sorted = selected.items;
    // A continued list reports the resourceVersion of its first page, as one logical list.
    listVersion = cont?.resourceVersion ?? selected.resourceVersion;
  }
  const page = cutPage(sorted, options.limit, cont?.after, listVersion, () => (snapshotId ??= listSnapshots.keep({ list, resourceVersion: listVersion, items: sorted })));
  if (!page.continue && cont?.snapshot) listSnapshots.release(cont.snapshot);
  const meta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: listVersion };
  if (page.continue) meta.continue = page.continue;
  if (page.remainingItemCount !== undefined) meta.remainingItemCount = page.remainingItemCount;
  return replyList(req, representation, page.items, meta);
}

/** The lists kept for paged clients, shared by every kind (keyed by listIdentity). */
export const listSnapshots = new ListSnapshots();

/** Which list a request is: a continue token is good only for the list it came from. */
function listIdentity(req: ResourceRequest, labelSelector: string, fieldSelector: string): string {
  const info = req.info;
  return JSON.stringify([info.group, info.version, info.resource, info.namespace ?? '', labelSelector, fieldSelector]);
}

/** How long a list waits for a store to reach a resourceVersion it was asked not to be older than (the watch cache's 3 s). */
const FRESHNESS_WAIT_MS = 3000;

/**
 * The list at the version the client asked for, as kube-apiserver's watch cache serves it:
 * "" or "0", the store's current state; a version with NotOlderThan (or no match), the current
 * state once the store has reached that version (waiting up to 3 s, then 504
 * ResourceVersionTooLarge); Exact, only the store's state at exactly that version, so 410
 * for a version the store has moved past.
 */
async function selectAtVersion(req: ResourceRequest, selection: Selection, rv: string, match: 'Exact' | 'NotOlderThan' | undefined) {
  const deadline = Date.now() + FRESHNESS_WAIT_MS;
  for (;;) {
    const selected = await selectObjects(req, selection);
    if (rv === '' || rv === '0') return selected;
    const wanted = BigInt(rv);
    const current = /^[0-9]+$/.test(selected.resourceVersion) ? BigInt(selected.resourceVersion) : wanted;
    if (current === wanted || (current > wanted && match !== 'Exact')) return selected;
    if (current > wanted) throw expired('The resourceVersion for the provided list is too old.');
    if (Date.now() >= deadline || req.signal.aborted) throw tooLargeResourceVersion(rv, selected.resourceVersion);
    await sleep(100, req.signal);
  }
}

const MAX_UINT64 = 2n ** 64n - 1n;

/**
 * A list's resourceVersion must be one a store could have minted, and a continued list names
 * none (k8s.io/apiserver `storage.ValidateListOptions`, 400 for both). Every kindred store
 * mints decimal versions, as etcd does; a list serves the latest whatever version is named.
 */
function checkListVersion(rv: string, continueToken: string | undefined): void {
  if (continueToken) {
    if (rv !== '' && rv !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    return;
  }
  if (rv === '' || rv === '0') return;
  const why = !/^[0-9]+$/.test(rv) ? 'invalid syntax' : BigInt(rv) > MAX_UINT64 ? 'value out of range' : undefined;
  if (why) {
    throw badRequest(`invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: ${why}`);
  }
}
