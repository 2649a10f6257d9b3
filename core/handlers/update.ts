/** PUT of one object or of its status. */
import { negotiateResource } from '../negotiation.ts';
import { asKubeObject, decodeObjectBody } from './decode.ts';
import { parseWriteOptions } from './options.ts';
import { encodeOne } from './present.ts';
import { readModifyWrite } from './write.ts';
import type { Reply, ResourceRequest } from './request.ts';

export async function updateObject(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: false, read: false });
  const options = parseWriteOptions(req.info.query, 'UpdateOptions');
  const incoming = asKubeObject(req, await decodeObjectBody(req), req.info.name);
  // The body is the whole new object; the stored one only supplies server-owned fields.
  const written = await readModifyWrite(req, options, () => structuredClone(incoming));
  return { status: 200, body: encodeOne(req, representation, written) };
}
