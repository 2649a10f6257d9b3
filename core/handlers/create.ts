/** POST on a collection. */
import { badRequest } from '../status.ts';
import { negotiateResource } from '../negotiation.ts';
import { storeNewObject } from '../registry/create.ts';
import { admitDuplicateFields } from '../registry/admit.ts';
import { asKubeObject, decodeObjectBody } from './decode.ts';
import { parseWriteOptions } from './options.ts';
import { encodeOne } from './present.ts';
import type { Reply, ResourceRequest } from './request.ts';

export async function createObject(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: false, read: false });
  const options = parseWriteOptions(req.info.query, 'CreateOptions');
  const incoming = asKubeObject(req, await decodeObjectBody(req));
  await admitDuplicateFields(req, options);
  if (incoming.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  const created = await storeNewObject(req, options, incoming, 'Update');
  return { status: 201, body: encodeOne(req, representation, created) };
}
