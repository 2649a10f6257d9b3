/** GET of a collection: selectors and paging applied by core over the store's list. */
import { canList } from '../types/storage.ts';
import type { KubeObject } from '../types/object.ts';
import { negotiateResource } from '../negotiation.ts';
import { parseSelection, type Selection } from '../selection.ts';
import { compareObjects, cutPage, decodeContinue } from '../paging.ts';
import { badRequest } from '../status.ts';
import { parseListOptions } from './options.ts';
import { encodeList } from './present.ts';
import { storeContext, type Reply, type ResourceRequest, storeWith } from './request.ts';

/** Every object of the request's scope that matches `selection`, in key order, with the list's resourceVersion. */
export async function selectObjects(req: ResourceRequest, selection: Selection): Promise<{ items: KubeObject[]; resourceVersion: string }> {
  const query = { labelSelector: selection.label.toString(), fieldSelector: selection.field.toString() };
  const list = await storeWith(req, canList, 'list').list(req.info.namespace, query, storeContext(req));
  return { items: list.items.filter((o) => selection.matches(o)).sort(compareObjects), resourceVersion: list.resourceVersion };
}

export async function listObjects(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: true, read: true });
  const options = parseListOptions(req.info.query, false);
  const selection = parseSelection(options.labelSelector, options.fieldSelector, req.resource.namespaced);
  checkListVersion(options.resourceVersion, options.continueToken);
  const cont = options.continueToken ? decodeContinue(options.continueToken) : undefined;
  const { items, resourceVersion } = await selectObjects(req, selection);
  // A continued list reports the resourceVersion of its first page, as one logical list.
  const listVersion = cont?.resourceVersion ?? resourceVersion;
  const page = cutPage(items, options.limit, cont?.after, listVersion);
  const meta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: listVersion };
  if (page.continue) meta.continue = page.continue;
  if (page.remainingItemCount !== undefined) meta.remainingItemCount = page.remainingItemCount;
  return { status: 200, body: encodeList(req, representation, page.items, meta) };
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
