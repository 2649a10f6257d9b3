/**
 * Request bodies: JSON (or an empty Content-Type, which kube treats as JSON) and YAML for
 * objects, DeleteOptions bodies, and the checks every written object passes before core
 * looks at it (apiVersion, kind, name and namespace against the URL).
 */
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../types/object.ts';
import { badRequest, unsupportedMediaType } from '../status.ts';
import type { DeleteOptions } from '../registry/request.ts';
import { optionsInvalid } from './options.ts';
import type { ResourceRequest } from './request.ts';
import { MAX_NESTING_DEPTH, jsonNestingDepthExceeds, nestingDepthExceeds, yamlNestingDepthExceeds } from '../nesting.ts';
import { LONG_DIGITS, encodeJson, narrowBigIntegers, parseJson } from '../../lib/json.ts';
import { isObject } from '../../lib/json.ts';

export const OBJECT_MEDIA_TYPES = ['application/json', 'application/yaml'];

/**
 * Decodes a JSON or YAML body. Nesting beyond MAX_NESTING_DEPTH is a 400, as kube-apiserver's
 * decoder answers beyond its own limit; YAML is measured before it is composed (the yaml
 * package composes recursively). YAML aliases are expanded into copies, as kube's YAML-to-JSON
 * conversion does, so no two places of an object share one value, and an alias that contains
 * itself is refused instead of becoming a cycle.
 */
export function parseJsonOrYaml(text: string, yaml: boolean): unknown {
  // Large JSON is measured as text before it is built; small JSON (cheap to build whatever its
  // shape) and YAML (whose aliases nest without text) are measured as values.
  const scanned = !yaml && text.length > SCAN_JSON_ABOVE;
  let value: unknown;
  try {
    if (yaml ? yamlNestingDepthExceeds(text) : scanned && jsonNestingDepthExceeds(text)) throw new Error(tooDeep);
    // Repeated keys are not a decoding error: the last one wins, as in Go's non-strict
    // decoding, and fieldValidation decides what to say of them (admitDuplicateFields).
    value = yaml ? parseYamlExact(text) : parseJson(text);
  } catch (error) {
    throw badRequest(`the body of the request could not be decoded: ${(error as Error).message.split('\n')[0]}`);
  }
  // JSON text shorter than the limit cannot nest deeper than it.
  if ((yaml || (!scanned && text.length > MAX_NESTING_DEPTH)) && nestingDepthExceeds(value)) {
    throw badRequest(`the body of the request could not be decoded: ${tooDeep}`);
  }
  return yaml && text.includes('*') ? parseJson(encodeJson(value)) : value;
}

/** 64 KiB of `[` parse in ~20 ms; above that a text scan (~2 ms per MiB) is cheaper than the worst parse. */
const SCAN_JSON_ABOVE = 64 * 1024;

/** YAML integers that fit in an int64 but not in a double stay exact, as in parseJson. */
function parseYamlExact(text: string): unknown {
  return LONG_DIGITS.test(text) ? narrowBigIntegers(parseYaml(text, { uniqueKeys: false, intAsBigInt: true })) : parseYaml(text, { uniqueKeys: false });
}

const tooDeep = `exceeded max depth: objects may nest at most ${MAX_NESTING_DEPTH} levels`;

export async function decodeObjectBody(req: ResourceRequest): Promise<unknown> {
  const type = req.contentType;
  if (type !== '' && type !== 'application/json' && type !== 'application/yaml') {
    throw unsupportedMediaType(type, OBJECT_MEDIA_TYPES);
  }
  const raw = (await req.body()).toString('utf8');
  if (raw.trim() === '') throw badRequest('the body of the request was empty');
  return parseJsonOrYaml(raw, type === 'application/yaml');
}


/**
 * Checks a decoded body is an object of this endpoint's kind and fills in what the URL says.
 * `urlName` is the name in the path (update, patch), which the body must agree with.
 */
export function asKubeObject(req: ResourceRequest, value: unknown, urlName?: string): KubeObject {
  if (!isObject(value)) throw badRequest('the body of the request must be a JSON object');
  const resource = req.resource;
  const kind = value.kind;
  const apiVersion = value.apiVersion;
  if (typeof kind !== 'string' || kind === '') {
    throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(value).slice(0, 200)}'`);
  }
  if (apiVersion !== resource.apiVersion) {
    throw badRequest(
      `the API version in the data (${String(apiVersion ?? '')}) does not match the expected API version (${resource.apiVersion})`,
    );
  }
  if (kind !== resource.kind.names.kind) {
    throw badRequest(`the kind in the data (${kind}) does not match the expected kind (${resource.kind.names.kind})`);
  }
  const metadata = value.metadata ?? {};
  if (!isObject(metadata)) throw badRequest('metadata must be an object');
  const object = { ...value, metadata: { ...metadata } } as KubeObject;
  const pathNamespace = req.info.namespace;
  if (resource.namespaced) {
    if (object.metadata.namespace && object.metadata.namespace !== pathNamespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    object.metadata.namespace = pathNamespace!;
  }
  if (urlName !== undefined) {
    if (object.metadata.name && object.metadata.name !== urlName) {
      throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${urlName})`);
    }
    object.metadata.name = urlName;
  }
  return object;
}


/** DeleteOptions from the body (kubectl sends one) or, without a body, from the query. */
export async function decodeDeleteOptions(req: ResourceRequest): Promise<DeleteOptions> {
  const raw = (await req.body()).toString('utf8').trim();
  let body: Record<string, unknown> = {};
  if (raw !== '') {
    const parsed = parseJsonOrYaml(raw, req.contentType === 'application/yaml');
    if (!isObject(parsed)) throw badRequest('DeleteOptions must be an object');
    body = parsed;
  }
  const query = req.info.query;
  const dryRun = Array.isArray(body.dryRun) ? (body.dryRun as unknown[]) : query.getAll('dryRun');
  const bad = dryRun.find((d) => d !== 'All');
  if (bad !== undefined) {
    throw optionsInvalid('DeleteOptions', [{ type: 'NotSupported', field: 'dryRun', value: bad, supported: ['All'] }]);
  }
  let policy = (body.propagationPolicy ?? query.get('propagationPolicy') ?? undefined) as string | undefined;
  if (policy === undefined && (body.orphanDependents === true || query.get('orphanDependents') === 'true')) policy = 'Orphan';
  if (policy !== undefined && policy !== 'Foreground' && policy !== 'Background' && policy !== 'Orphan') {
    throw optionsInvalid('DeleteOptions', [{ type: 'NotSupported', field: 'propagationPolicy', value: policy, supported: ['Foreground', 'Background', 'Orphan'] }]);
  }
  const pre = isObject(body.preconditions) ? body.preconditions : {};
  const preconditions: DeleteOptions['preconditions'] = {};
  if (typeof pre.uid === 'string' && pre.uid) preconditions.uid = pre.uid;
  if (typeof pre.resourceVersion === 'string' && pre.resourceVersion) preconditions.resourceVersion = pre.resourceVersion;
  const options: DeleteOptions = { dryRun: dryRun.length > 0, preconditions };
  if (policy) options.propagationPolicy = policy;
  return options;
}
