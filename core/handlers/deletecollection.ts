/** DELETE on a collection: every object the list options select, deleted one by one. */
import { isStoreError } from '../types/errors.ts';
import type { KubeObject } from '../types/object.ts';
import { negotiateResource } from '../negotiation.ts';
import { parseSelection } from '../selection.ts';
import { decodeDeleteOptions } from './decode.ts';
import { deleteOne } from './delete.ts';
import { selectObjects } from './list.ts';
import { parseListOptions } from './options.ts';
import { encodeList } from './present.ts';
import type { Reply, ResourceRequest } from './request.ts';

export async function deleteCollection(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: true, read: false });
  const listOptions = parseListOptions(req.info.query, false);
  const options = await decodeDeleteOptions(req);
  const selection = parseSelection(listOptions.labelSelector, listOptions.fieldSelector, req.resource.namespaced);
  const { items, resourceVersion } = await selectObjects(req, selection);
  const deleted: KubeObject[] = [];
  for (const object of items) {
    try {
      deleted.push(await deleteOne(req, object, options));
    } catch (error) {
      // Deleted by someone else meanwhile: that is the outcome the client asked for.
      if (isStoreError(error) && error.reason === 'NotFound') continue;
      throw error;
    }
  }
  return { status: 200, body: encodeList(req, representation, deleted, { resourceVersion }) };
}
