/** GET of one object (and of its status subresource). */
import { negotiateResource } from '../negotiation.ts';
import { encodeOne } from './present.ts';
import { storeContext, type Reply, type ResourceRequest } from './request.ts';

export async function getObject(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: false, read: true });
  const object = await req.resource.store.get(req.info.namespace, req.info.name!, storeContext(req));
  return { status: 200, body: encodeOne(req, representation, object) };
}
