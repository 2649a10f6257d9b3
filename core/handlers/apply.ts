/**
 * Server-side apply (PATCH with `application/apply-patch+yaml`): the options and the
 * configuration decoded here; the get → apply → update (or create) cycle is
 * core/registry/apply.ts's.
 */
import { badRequest } from '../status.ts';
import { negotiateResource } from '../negotiation.ts';
import { parseBool } from '../parse-bool.ts';
import { serverSideApply } from '../registry/apply.ts';
import { admitDuplicateFields } from '../registry/admit.ts';
import { isObject } from '../../lib/json.ts';
import { asKubeObject, parseJsonOrYaml } from './decode.ts';
import { optionsInvalid, parseWriteOptions } from './options.ts';
import { encodeOne } from './present.ts';
import type { Reply, ResourceRequest } from './request.ts';

/** PATCH with application/apply-patch+yaml: 200 with the applied object, 201 when it created it. */
export async function applyObject(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: false, read: false });
  const options = parseWriteOptions(req.info.query, 'PatchOptions');
  // kubectl defaults fieldManager to "kubectl"; other clients must name themselves.
  const fieldManager = options.fieldManager;
  if (!fieldManager) throw optionsInvalid('PatchOptions', [{ type: 'Required', field: 'fieldManager', detail: 'is required for apply patch' }]);
  const rawForce = req.info.query.get('force');
  const force = rawForce === null ? false : parseBool(rawForce);
  if (force === undefined) throw badRequest(`invalid boolean value for force: ${JSON.stringify(rawForce)}`);
  // YAML is a superset of JSON: kubectl sends JSON, other clients YAML.
  const body = parseJsonOrYaml((await req.body()).toString('utf8'), true);
  if (!isObject(body)) throw badRequest('the apply patch must be a YAML or JSON object');
  const config = asKubeObject(req, body, req.info.name);
  await admitDuplicateFields(req, options);
  if (config.metadata.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
  const { object, created } = await serverSideApply(req, { ...options, fieldManager }, config, force);
  return { status: created ? 201 : 200, body: encodeOne(req, representation, object) };
}
