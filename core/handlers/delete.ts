/** DELETE of one object: the rules (preconditions, finalizers, propagation) are core/registry/delete.ts's. */
import { negotiateResource } from '../negotiation.ts';
import { deleteNamed } from '../registry/delete.ts';
import { decodeDeleteOptions } from './decode.ts';
import { encodeOne } from './present.ts';
import type { Reply, ResourceRequest } from './request.ts';

export async function deleteObject(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: false, read: false });
  const options = await decodeDeleteOptions(req);
  const result = await deleteNamed(req, options);
  return { status: 200, body: encodeOne(req, representation, result) };
}
