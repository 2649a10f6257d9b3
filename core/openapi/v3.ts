/**
 * OpenAPI v3: the root document (`/openapi/v3`) and one document per group-version
 * (`/openapi/v3/apis/<group>/<version>`), shaped like the documents kube-apiserver serves
 * for CRDs (apiextensions-apiserver `pkg/controller/openapi/builder/builder.go`
 * `BuildOpenAPIV3`, rendered as kube-openapi `pkg/builder3/openapi.go` does). kubectl
 * explain, apply and field validation read them (wire contract, section 2.2).
 */
import { definitionsFor } from './definitions.ts';
import type { ParameterSpec } from './parameters.ts';
import { toV3Refs, V3_REF_PREFIX } from './refs.ts';
import { groupByPath, JSON_AND_YAML, routesFor, type Route } from './operations.ts';
import { ACTION_EXTENSION, GVK_EXTENSION, type Schema, type ServedKind } from './types.ts';

/** One served group-version and the hash of its document (`openAPIHash`). */
export interface GroupVersionHash {
  group: string;
  version: string;
  hash: string;
}

/**
 * `{"paths":{"apis/<g>/<v>":{"serverRelativeURL":"/openapi/v3/apis/<g>/<v>?hash=<HASH>"}}}`:
 * keys without a leading slash, only our own group-versions, because the aggregator merges
 * every APIService's root into one (kube-aggregator `pkg/controllers/openapiv3/aggregator`).
 */
export function buildOpenAPIV3Root(groupVersions: readonly GroupVersionHash[]): object {
  const entries = groupVersions
    .map(({ group, version, hash }) => [
      `apis/${group}/${version}`,
      { serverRelativeURL: `/openapi/v3/apis/${group}/${version}?hash=${hash}` },
    ] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { paths: Object.fromEntries(entries) };
}

const ref = (name: string): Schema => ({ $ref: V3_REF_PREFIX + name });

function parameter(p: ParameterSpec): Schema {
  return {
    name: p.name,
    in: p.in,
    description: p.description,
    ...(p.in === 'path' ? { required: true } : {}),
    schema: { type: p.type, uniqueItems: true },
  };
}

const content = (types: readonly string[], name: string): Schema =>
  Object.fromEntries(types.map((t) => [t, { schema: ref(name) }]));

function operation(route: Route): Schema {
  const responses = Object.fromEntries(
    route.responses.map((r) => {
      if (r.definition === undefined) return [String(r.code), { description: r.description }];
      const body = content(JSON_AND_YAML, r.definition);
      // A list answers `?watch=true` with a stream of watch events, one JSON object per line.
      if (r.code === 200 && route.watchEvent !== undefined) body['application/json;stream=watch'] = { schema: ref(route.watchEvent) };
      return [String(r.code), { description: r.description, content: body }];
    }),
  );
  return {
    tags: [route.tag],
    description: route.description,
    operationId: route.operationId,
    parameters: route.parameters.map(parameter),
    ...(route.body
      ? { requestBody: { content: content(route.body.contentTypes, route.body.definition), ...(route.body.required ? { required: true } : {}) } }
      : {}),
    responses,
    [ACTION_EXTENSION]: route.action,
    // An object here, an array on schemas: kubectl matches operations to kinds by it.
    [GVK_EXTENSION]: { ...route.gvk },
  };
}

/**
 * The complete OpenAPI 3.0 document of one group-version: every operation the stores
 * support, the kinds' models (from their openAPIV3Schema) and the shared models they refer
 * to, every `$ref` resolvable inside the document. Kinds of other group-versions are ignored.
 */
export function buildOpenAPIV3GroupVersion(group: string, version: string, kinds: readonly ServedKind[]): object {
  const mine = kinds.filter((k) => k.kind.group === group && k.version.name === version);
  const routes = mine.flatMap(routesFor);
  const paths = Object.fromEntries(
    groupByPath(routes).map(([path, onPath]) => {
      const item: Schema = { parameters: onPath[0]!.pathParameters.map(parameter) };
      for (const route of onPath) item[route.method] = operation(route);
      return [path, item];
    }),
  );
  const schemas = Object.fromEntries(
    Object.entries(definitionsFor(mine, routes, 'v3')).map(([name, schema]) => [name, toV3Refs(schema)]),
  );
  return {
    openapi: '3.0.0',
    info: { title: 'kindred', version: 'v0.1.0' },
    paths,
    components: { schemas },
  };
}
