/** GET of one object (and of its status subresource). */
import { canGet } from '../types/storage.ts';
import { negotiateResource } from '../negotiation.ts';
import { replyOne } from './present.ts';
import { storeContext, type Reply, type ResourceRequest, storeWith } from './request.ts';

export async function getObject(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: false, read: true });
  const object = await storeWith(req, canGet, 'get').get(req.info.namespace, req.info.name!, storeContext(req));
  return replyOne(req, representation, object);
}
