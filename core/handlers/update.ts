/** PUT of one object or of its status. */
import { negotiateResource } from '../negotiation.ts';
import { invalid } from '../status.ts';
import { readModifyWrite } from '../registry/update.ts';
import { admitDuplicateFields } from '../registry/admit.ts';
import { asKubeObject, decodeObjectBody } from './decode.ts';
import { parseWriteOptions } from './options.ts';
import { encodeOne } from './present.ts';
import type { Reply, ResourceRequest } from './request.ts';

export async function updateObject(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: false, read: false });
  const options = parseWriteOptions(req.info.query, 'UpdateOptions');
  const incoming = asKubeObject(req, await decodeObjectBody(req), req.info.name);
  // Custom resources allow no unconditional update (registry/store.go Update): the Invalid
  // names the resource, not the kind, as kube-apiserver's does.
  if (!incoming.metadata.resourceVersion) {
    throw invalid({ group: req.resource.group, kind: req.resource.plural, name: req.info.name! }, [
      { type: 'Invalid', field: 'metadata.resourceVersion', value: 0, valueText: '0x0', detail: 'must be specified for an update' },
    ]);
  }
  await admitDuplicateFields(req, options);
  // The body is the whole new object; the stored one only supplies server-owned fields.
  const written = await readModifyWrite(req, options, () => structuredClone(incoming));
  return { status: 200, body: encodeOne(req, representation, written) };
}
