/**
 * The operations of one served kind, independent of the OpenAPI version: the v2 and v3
 * builders only render this list. Mirrors the routes apiextensions-apiserver builds for a
 * CRD (`pkg/controller/openapi/builder/builder.go` `generateBuilder`, `buildRoute`), cut to
 * what the served-resource model (core/served.ts) says the kind serves, the model routing
 * and discovery read too.
 */
import { DELETE_OPTIONS as DELETE_OPTIONS_MODEL, PATCH, SCALE, STATUS, WATCH_EVENT } from './metav1.ts';
import { gvkOf, kindDefinitionName, listDefinitionName } from './kind-schema.ts';
import {
  byName, CREATE_OPTIONS, DELETE_OPTIONS, GET_OPTIONS, LIST_OPTIONS, NAMESPACE, nameParameter,
  PATCH_OPTIONS, PRETTY, UPDATE_OPTIONS, WATCH_OPTIONS, type ParameterSpec,
} from './parameters.ts';
import type { Verb } from '../types/storage.ts';
import type { GroupVersionKind, ServedKind } from './types.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** `x-kubernetes-action`. */
export type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';

export const JSON_AND_YAML: readonly string[] = ['application/json', 'application/yaml'];
/** Never strategic merge patch: with it advertised, kubectl apply sends one (kubectl `pkg/cmd/apply/patcher.go`). */
export const PATCH_CONTENT_TYPES: readonly string[] = [
  'application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml',
];

export interface RouteBody {
  readonly definition: string;
  readonly contentTypes: readonly string[];
  readonly required: boolean;
}

export interface RouteResponse {
  readonly code: number;
  readonly description: string;
  /** Absent for responses without a body (401). */
  readonly definition?: string;
}

export interface Route {
  readonly path: string;
  readonly method: Method;
  readonly action: Action;
  readonly operationId: string;
  readonly description: string;
  readonly tag: string;
  readonly gvk: GroupVersionKind;
  /** The parameters every operation on this path has (path parameters and `pretty`): written on the path. */
  readonly pathParameters: readonly ParameterSpec[];
  /** Written on the operation, inline. */
  readonly parameters: readonly ParameterSpec[];
  readonly body?: RouteBody;
  readonly responses: readonly RouteResponse[];
  /** On list operations of a store that can watch: `?watch=true` answers with a stream of these. */
  readonly watchEvent?: string;
}

/**
 * apiserver `pkg/endpoints/openapi/openapi.go` `ToValidOperationID`: keeps letters, `_` and
 * (not first) digits; anything else is dropped and upper-cases the next letter.
 */
export function toValidOperationID(s: string, capitalizeFirst: boolean): string {
  let out = '';
  let capitalize = capitalizeFirst;
  [...s].forEach((c, i) => {
    if (/\p{L}/u.test(c) || c === '_' || (i !== 0 && /\p{Nd}/u.test(c))) {
      out += capitalize ? c.toUpperCase() : c;
      capitalize = false;
    } else {
      capitalize = true;
    }
  });
  return out;
}

type OperationVerb = 'list' | 'create' | 'deletecollection' | 'read' | 'replace' | 'delete' | 'patch';
type Subresource = '' | 'status' | 'scale';

/** English article for "create a Postgres" (apiserver `endpoints.GetArticleForNoun`): none for plurals. */
const article = (noun: string): string =>
  noun.endsWith('s') && !noun.endsWith('ss') ? ' ' : /^[aeiou]/i.test(noun) ? ' an ' : ' a ';

/** The CRD builder's `descriptionFor`, e.g. "partially update status of the specified Postgres". */
function describe(verb: OperationVerb, kind: string, sub: Subresource): string {
  const of = sub === '' ? '' : ` ${sub} of`;
  switch (verb) {
    case 'list': return `list${of} objects of kind ${kind}`;
    case 'read': case 'replace': return `${verb}${of} the specified ${kind}`;
    case 'patch': return `partially update${of} the specified ${kind}`;
    case 'deletecollection': return `delete collection of${sub === '' ? '' : `${of} a`} ${kind}`;
    case 'create': case 'delete': return `${verb}${of}${article(kind)}${kind}`;
  }
}

const withUnauthorized = (responses: RouteResponse[]): RouteResponse[] => [...responses, { code: 401, description: 'Unauthorized' }];

/** Every operation the store's verbs allow for one kind at one version, in the CRD builder's order. */
export function routesFor(served: ServedKind): Route[] {
  const { group, names } = served.kind;
  const version = served.version.name;
  const { kind, plural } = names;
  const namespaced = served.kind.scope === 'Namespaced';
  const can = (verb: Verb): boolean => served.verbs.has(verb);
  const gvk = gvkOf(served);
  const self = kindDefinitionName(served);
  const list = listDefinitionName(served);
  const groupId = group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
  const tag = `${toValidOperationID(groupId, false)}_${toValidOperationID(version, false)}`;
  const gv = `/apis/${group}/${version}`;
  const collection = namespaced ? `${gv}/namespaces/{namespace}/${plural}` : `${gv}/${plural}`;
  const item = `${collection}/{name}`;

  const routes: Route[] = [];
  const add = (
    path: string, method: Method, action: Action, verb: OperationVerb, sub: Subresource,
    rest: Pick<Route, 'parameters' | 'responses'> & { body?: RouteBody; watchEvent?: string; operationName?: string },
  ): void => {
    // "deletecollection" is the verb "delete" applied to "Collection..." (apiserver `GetOperationIDAndTags`).
    const prefix = verb === 'deletecollection' ? 'delete' : verb;
    const name = rest.operationName ??
      `${verb === 'deletecollection' ? 'collection' : ''}${namespaced ? 'Namespaced' : ''}${kind}${sub === '' ? '' : sub[0]!.toUpperCase() + sub.slice(1)}`;
    const operationId = prefix + toValidOperationID(groupId, true) + toValidOperationID(version, true) + toValidOperationID(name, true);
    const pathParameters = [
      ...(path.includes('{name}') ? [nameParameter(kind)] : []),
      ...(path.includes('{namespace}') ? [NAMESPACE] : []),
      PRETTY,
    ];
    const { operationName: _name, ...fields } = rest;
    routes.push({
      path, method, action, operationId, description: describe(verb, kind, sub), tag, gvk, pathParameters,
      ...fields, parameters: byName(rest.parameters), responses: withUnauthorized([...rest.responses]),
    });
  };

  const ok = (definition: string): RouteResponse => ({ code: 200, description: 'OK', definition });
  const created = (definition: string): RouteResponse => ({ code: 201, description: 'Created', definition });
  const accepted = (definition: string): RouteResponse => ({ code: 202, description: 'Accepted', definition });
  const bodyOf = (definition: string): RouteBody => ({ definition, contentTypes: JSON_AND_YAML, required: true });
  const patchBody: RouteBody = { definition: PATCH, contentTypes: PATCH_CONTENT_TYPES, required: true };
  const deleteBody: RouteBody = { definition: DELETE_OPTIONS_MODEL, contentTypes: JSON_AND_YAML, required: false };

  if (can('list')) {
    const listing = {
      parameters: [...LIST_OPTIONS, ...(can('watch') ? WATCH_OPTIONS : [])],
      responses: [ok(list)],
      ...(can('watch') ? { watchEvent: WATCH_EVENT } : {}),
    };
    if (namespaced) add(`${gv}/${plural}`, 'get', 'list', 'list', '', { ...listing, operationName: `${kind}ForAllNamespaces` });
    add(collection, 'get', 'list', 'list', '', listing);
  }
  if (can('create')) {
    add(collection, 'post', 'post', 'create', '', {
      parameters: CREATE_OPTIONS, body: bodyOf(self), responses: [ok(self), created(self), accepted(self)],
    });
  }
  if (can('deletecollection')) {
    add(collection, 'delete', 'deletecollection', 'deletecollection', '', {
      // As built-in resources do: the selectors pick the objects, DeleteOptions say how.
      parameters: [...LIST_OPTIONS, ...DELETE_OPTIONS],
      body: deleteBody, responses: [ok(STATUS)],
    });
  }
  if (can('get')) add(item, 'get', 'get', 'read', '', { parameters: GET_OPTIONS, responses: [ok(self)] });
  if (can('update')) add(item, 'put', 'put', 'replace', '', { parameters: UPDATE_OPTIONS, body: bodyOf(self), responses: [ok(self), created(self)] });
  if (can('delete')) add(item, 'delete', 'delete', 'delete', '', { parameters: DELETE_OPTIONS, body: deleteBody, responses: [ok(STATUS), accepted(STATUS)] });
  if (can('patch')) add(item, 'patch', 'patch', 'patch', '', { parameters: PATCH_OPTIONS, body: patchBody, responses: [ok(self)] });

  for (const { name: sub, verbs } of served.subresources) {
    const model = sub === 'scale' ? SCALE : self;
    const path = `${item}/${sub}`;
    if (verbs.has('get')) add(path, 'get', 'get', 'read', sub, { parameters: GET_OPTIONS, responses: [ok(model)] });
    if (verbs.has('update')) {
      add(path, 'put', 'put', 'replace', sub, { parameters: UPDATE_OPTIONS, body: bodyOf(model), responses: [ok(model), created(model)] });
    }
    if (verbs.has('patch')) add(path, 'patch', 'patch', 'patch', sub, { parameters: PATCH_OPTIONS, body: patchBody, responses: [ok(model)] });
  }
  return routes;
}

/** Routes grouped by path, paths in sorted order so that documents (and their hashes) are stable. */
export function groupByPath(routes: readonly Route[]): [string, Route[]][] {
  const byPath = new Map<string, Route[]>();
  for (const route of routes) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
  return [...byPath.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The definitions a route's bodies and responses name. */
export const definitionsOf = (route: Route): string[] => [
  ...(route.body ? [route.body.definition] : []),
  ...route.responses.flatMap((r) => (r.definition === undefined ? [] : [r.definition])),
  ...(route.watchEvent === undefined ? [] : [route.watchEvent]),
];
