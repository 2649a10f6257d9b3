/** DELETE on a collection: every object the list options select, deleted one by one. */
import { negotiateResource } from '../negotiation.ts';
import { parseSelection } from '../selection.ts';
import { deleteSelected } from '../registry/delete.ts';
import { decodeDeleteOptions } from './decode.ts';
import { parseListOptions } from './options.ts';
import { encodeList } from './present.ts';
import type { Reply, ResourceRequest } from './request.ts';

export async function deleteCollection(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: true, read: false });
  const listOptions = parseListOptions(req.info.query, false);
  const options = await decodeDeleteOptions(req);
  const selection = parseSelection(listOptions.labelSelector, listOptions.fieldSelector, req.resource.namespaced);
  const { items, resourceVersion } = await deleteSelected(req, selection, options);
  return { status: 200, body: encodeList(req, representation, items, { resourceVersion }) };
}
