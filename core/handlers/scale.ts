/**
 * The scale subresource: a kind's replica count seen as an autoscaling/v1 Scale, so
 * `kubectl scale` and a HorizontalPodAutoscaler can drive it. As apiextensions-apiserver
 * does for a CRD (`pkg/registry/customresource/etcd.go`, `scaleFromCustomResource` and
 * `scaleUpdatedObjectInfo`): the Scale is read from `specReplicasPath`,
 * `statusReplicasPath` and `labelSelectorPath`; a write sets only `specReplicasPath` of the
 * stored object, through the same read-modify-write as any update, the Scale's
 * resourceVersion (when given) being the precondition.
 */
import type { KubeObject } from '../types/object.ts';
import type { ScaleSubresource } from '../types/kind.ts';
import { badRequest, invalid } from '../status.ts';
import { negotiateResource } from '../negotiation.ts';
import { SCALE_KIND } from '../served.ts';
import { isObject } from '../../lib/json.ts';
import { decodeObjectBody } from './decode.ts';
import { parseWriteOptions } from './options.ts';
import { mechanismFor } from './patch.ts';
import { storeContext, storeWith, type Reply, type ResourceRequest } from './request.ts';
import { readModifyWrite } from '../registry/update.ts';
import { admitDuplicateFields } from '../registry/admit.ts';
import { includeObjectOf } from './present.ts';
import { canGet } from '../types/storage.ts';
import { compileColumns, partialObjectMetadata, toTable } from '../table.ts';
import type { Representation } from '../negotiation.ts';

const SCALE_API_VERSION = `${SCALE_KIND.group}/${SCALE_KIND.version}`;

/** What `kubectl get --subresource=scale` prints, as kube-apiserver's scale table does. */
const scaleColumns = compileColumns([
  { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas', description: 'desired number of replicas' },
  { name: 'Available', type: 'integer', jsonPath: '.status.replicas', description: 'actual number of replicas' },
]);

export interface Scale extends KubeObject {
  apiVersion: string;
  kind: 'Scale';
  spec: { replicas: number };
  status: { replicas: number; selector?: string };
}

/** `.spec.replicas` → ['spec', 'replicas']; config checks allow only such simple paths. */
const fieldsOf = (path: string): string[] => path.split('.').slice(1);

function valueAt(object: unknown, path: string): unknown {
  let at: unknown = object;
  for (const field of fieldsOf(path)) {
    if (!isObject(at)) return undefined;
    at = at[field];
  }
  return at;
}

/** Sets a value at a path, creating the objects on the way (unstructured.SetNestedField). */
function setValueAt(object: Record<string, unknown>, path: string, value: unknown): void {
  const fields = fieldsOf(path);
  let at = object;
  for (const field of fields.slice(0, -1)) {
    const next = at[field];
    if (!isObject(next)) at[field] = {};
    at = at[field] as Record<string, unknown>;
  }
  at[fields[fields.length - 1]!] = value;
}

const integerOr0 = (value: unknown): number => (typeof value === 'number' && Number.isInteger(value) ? value : 0);

function scaleConfigOf(req: ResourceRequest): ScaleSubresource {
  // The router only sends here for kinds that declare scale.
  return req.resource.version.subresources.scale!;
}

/** The Scale view of a stored object. */
export function scaleOf(object: KubeObject, config: ScaleSubresource): Scale {
  const meta = object.metadata;
  const metadata: KubeObject['metadata'] = {};
  if (meta.name !== undefined) metadata.name = meta.name;
  if (meta.namespace !== undefined) metadata.namespace = meta.namespace;
  if (meta.uid !== undefined) metadata.uid = meta.uid;
  if (meta.resourceVersion !== undefined) metadata.resourceVersion = meta.resourceVersion;
  if (meta.creationTimestamp !== undefined) metadata.creationTimestamp = meta.creationTimestamp;
  const status: Scale['status'] = { replicas: integerOr0(valueAt(object, config.statusReplicasPath)) };
  if (config.labelSelectorPath) {
    const selector = valueAt(object, config.labelSelectorPath);
    if (typeof selector === 'string' && selector !== '') status.selector = selector;
  }
  return {
    apiVersion: SCALE_API_VERSION,
    kind: 'Scale',
    metadata,
    spec: { replicas: integerOr0(valueAt(object, config.specReplicasPath)) },
    status,
  };
}

/** The replica count a written Scale asks for, checked as ValidateScale does; and its precondition. */
function desiredReplicas(req: ResourceRequest, value: unknown): { replicas: number; resourceVersion?: string } {
  if (!isObject(value)) throw badRequest('the body of the request must be a JSON object');
  if (value.apiVersion !== SCALE_API_VERSION || value.kind !== 'Scale') {
    throw badRequest(`the body must be a Scale of ${SCALE_API_VERSION}, got kind ${JSON.stringify(value.kind)} of ${JSON.stringify(value.apiVersion)}`);
  }
  const metadata = isObject(value.metadata) ? value.metadata : {};
  const name = req.info.name!;
  if (metadata.name !== undefined && metadata.name !== '' && metadata.name !== name) {
    throw badRequest(`the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`);
  }
  const replicas = isObject(value.spec) ? value.spec.replicas : undefined;
  const bad = (detail: string) =>
    invalid({ group: SCALE_KIND.group, kind: SCALE_KIND.kind, name }, [{ type: 'Invalid', field: 'spec.replicas', value: replicas, detail }]);
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas))) throw bad('must be an integer');
  const count = replicas ?? 0;
  if (count < 0) throw bad('must be greater than or equal to 0');
  if (count > 2 ** 31 - 1) throw bad('must be a 32-bit integer');
  const rv = metadata.resourceVersion;
  return typeof rv === 'string' && rv !== '' ? { replicas: count, resourceVersion: rv } : { replicas: count };
}

function encodeScale(req: ResourceRequest, representation: Representation, scale: Scale): unknown {
  const object = { ...scale, metadata: { ...scale.metadata } };
  switch (representation.kind) {
    case 'table':
      return toTable([object], scaleColumns, {
        version: representation.version,
        includeObject: includeObjectOf(req),
        withColumns: true,
        listMeta: { resourceVersion: scale.metadata.resourceVersion ?? '' },
        now: req.now(),
      });
    case 'partial':
      return partialObjectMetadata(object, representation.version);
    case 'object':
      return object;
  }
}

/** Writes the replicas a Scale (computed from the stored object's) asks for; answers the new Scale. */
async function writeScale(req: ResourceRequest, options: ReturnType<typeof parseWriteOptions>, next: (current: Scale) => unknown): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: false, read: false });
  const config = scaleConfigOf(req);
  await admitDuplicateFields(req, options);
  const written = await readModifyWrite(req, options, (stored) => {
    const wanted = desiredReplicas(req, next(scaleOf(stored, config)));
    const object = structuredClone(stored);
    setValueAt(object, config.specReplicasPath, wanted.replicas);
    if (wanted.resourceVersion !== undefined) object.metadata.resourceVersion = wanted.resourceVersion;
    return object;
  });
  return { status: 200, body: encodeScale(req, representation, scaleOf(written, config)) };
}

export async function getScale(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: false, read: true });
  const object = await storeWith(req, canGet, 'get').get(req.info.namespace, req.info.name!, storeContext(req));
  return { status: 200, body: encodeScale(req, representation, scaleOf(object, scaleConfigOf(req))) };
}

export async function updateScale(req: ResourceRequest): Promise<Reply> {
  const options = parseWriteOptions(req.info.query, 'UpdateOptions');
  const body = await decodeObjectBody(req);
  return writeScale(req, options, () => body);
}

export async function patchScale(req: ResourceRequest): Promise<Reply> {
  const options = parseWriteOptions(req.info.query, 'PatchOptions');
  const mechanism = mechanismFor(req.contentType, (await req.body()).toString('utf8'));
  return writeScale(req, options, (current) => mechanism.apply(current));
}
