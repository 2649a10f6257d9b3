/**
 * The Swagger 2.0 document (`/openapi/v2`) of every served kind, shaped like
 * apiextensions-apiserver's `BuildOpenAPIV2` (`pkg/controller/openapi/builder/builder.go`)
 * rendered by kube-openapi `pkg/builder/openapi.go`. The aggregator downloads it and merges
 * it into kube-apiserver's, and kubectl 1.27/1.28 read it directly (in protobuf) for
 * `explain` and client-side validation. Hence the hygiene: dotted model names, references
 * only into `#/definitions/`, kind schemas converted by `toOpenAPIV2Schema` (no junctors,
 * no `nullable`, no boolean `additionalProperties`).
 */
import { definitionsFor } from './definitions.ts';
import type { ParameterSpec } from './parameters.ts';
import { refTo } from './refs.ts';
import { groupByPath, JSON_AND_YAML, routesFor, type Route } from './operations.ts';
import { ACTION_EXTENSION, GVK_EXTENSION, type Schema, type ServedKind } from './types.ts';

function parameter(p: ParameterSpec): Schema {
  return {
    uniqueItems: true,
    type: p.type,
    description: p.description,
    name: p.name,
    in: p.in,
    ...(p.in === 'path' ? { required: true } : {}),
  };
}

function operation(route: Route): Schema {
  const body = route.body
    ? [{ name: 'body', in: 'body', ...(route.body.required ? { required: true } : {}), schema: refTo(route.body.definition) }]
    : [];
  return {
    description: route.description,
    ...(route.body ? { consumes: [...route.body.contentTypes] } : {}),
    produces: [...JSON_AND_YAML],
    schemes: ['https'],
    tags: [route.tag],
    operationId: route.operationId,
    parameters: [...body, ...route.parameters.map(parameter)],
    responses: Object.fromEntries(
      route.responses.map((r) => [
        String(r.code),
        r.definition === undefined ? { description: r.description } : { description: r.description, schema: refTo(r.definition) },
      ]),
    ),
    [ACTION_EXTENSION]: route.action,
    [GVK_EXTENSION]: { ...route.gvk },
  };
}

/** One Swagger 2.0 document for all served kinds, every `$ref` resolvable in `definitions`. */
export function buildOpenAPIV2(kinds: readonly ServedKind[], sharedDefinitions?: Readonly<Record<string, Schema>>): object {
  const routes = kinds.flatMap(routesFor);
  const paths = Object.fromEntries(
    groupByPath(routes).map(([path, onPath]) => {
      const item: Schema = { parameters: onPath[0]!.pathParameters.map(parameter) };
      for (const route of onPath) item[route.method] = operation(route);
      return [path, item];
    }),
  );
  return {
    swagger: '2.0',
    info: { title: 'kindred', version: 'v0.1.0' },
    paths,
    definitions: definitionsFor(kinds, routes, 'v2', sharedDefinitions),
  };
}
