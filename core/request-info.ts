/**
 * Parses a request's method and URL, once, into a RequestInfo (after k8s.io/apiserver
 * `pkg/endpoints/request/requestinfo.go`). Path grammar:
 *
 *   /apis/<group>/<version>/[watch/][namespaces/<ns>/]<resource>[/<name>[/<subresource>]]
 *
 * Anything else (`/apis`, `/apis/<group>`, `/version`, `/openapi/...`) is a non-resource
 * request. The legacy `/watch/` prefix means `watch=true`, and a name in a watch path means
 * `fieldSelector=metadata.name=<name>`.
 *
 * The path is percent-decoded before it is split, as Go's `req.URL.Path` is: `%2F` separates
 * segments like `/` does, so no namespace or name can contain a slash (store keys rely on it),
 * and a malformed escape is the client's 400, as Go's URL parser answers it.
 */
import { parseBool } from './parse-bool.ts';
import { badRequest } from './status.ts';

export type RequestVerb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection'
  | 'proxy'
  | 'head'
  | 'options'
  | 'unknown';

export interface ResourceRequestInfo {
  isResourceRequest: true;
  path: string;
  verb: RequestVerb;
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  subresource?: string;
  /** The object name from the path, or from a `metadata.name=` field selector on list/watch. */
  name?: string;
  /** True when the name came from the path (get/update/patch/delete of one object, or a legacy watch path). */
  nameInPath: boolean;
  query: URLSearchParams;
}

export interface NonResourceRequestInfo {
  isResourceRequest: false;
  path: string;
  /** The lower-case HTTP method, as SubjectAccessReview's nonResourceAttributes want it. */
  verb: string;
  /** Path segments, without empty ones. */
  parts: string[];
  query: URLSearchParams;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

function nameFromFieldSelector(selector: string | null): string | undefined {
  if (!selector) return undefined;
  // Only an unambiguous single requirement pins the name, as requestinfo.go does.
  const match = /^metadata\.name==?([^,]*)$/.exec(selector.trim());
  return match?.[1] || undefined;
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    const escape = /%(?![0-9A-Fa-f]{2})..?/.exec(raw)?.[0] ?? raw;
    throw badRequest(`invalid URL escape ${JSON.stringify(escape)}`);
  }
}

/**
 * Request targets whose path the WHATWG URL parser would rewrite: dot segments (also
 * %2e-escaped ones), backslashes, a fragment. Others are split at the `?` by hand, which
 * gives what the parser gives at a fraction of its cost (a GET's hot path; issue 15).
 */
const NEEDS_URL_PARSER = /\\|#|(^|\/)(\.|%2e){1,2}(\/|\?|$)/i;

/** The raw path and the query of a request target (origin form, or any other through URL). */
export function splitTarget(url: string): { rawPath: string; query: URLSearchParams } {
  if (url.startsWith('/') && !url.startsWith('//') && !NEEDS_URL_PARSER.test(url)) {
    const q = url.indexOf('?');
    // The '?' stays: URLSearchParams drops exactly one, as URL's search does.
    return q < 0 ? { rawPath: url, query: new URLSearchParams() } : { rawPath: url.slice(0, q), query: new URLSearchParams(url.slice(q)) };
  }
  const parsed = new URL(url, 'https://kindred.invalid');
  return { rawPath: parsed.pathname, query: parsed.searchParams };
}

export function parseRequestInfo(method: string, url: string): RequestInfo {
  const { rawPath, query } = splitTarget(url);
  const path = decodePath(rawPath);
  const parts = path.split('/').filter((p) => p !== '');
  const nonResource = (): NonResourceRequestInfo =>
    Object.freeze({ isResourceRequest: false, path, verb: method.toLowerCase(), parts, query });

  if (parts[0] !== 'apis' || parts.length < 4) return nonResource();
  const [, group, version, ...rest] = parts as [string, string, string, ...string[]];

  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest.shift();
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest.splice(0, 2);
  }
  const [resource, pathName, subresource, ...extra] = rest;
  if (!resource || extra.length > 0) return nonResource();

  const watchParam = parseBool(query.get('watch') ?? '') === true;
  let verb: RequestVerb;
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
      // ?watch only turns a list into a watch (requestinfo.go); /watch/ paths watch one object too.
      verb = watchPath ? 'watch' : pathName ? 'get' : watchParam ? 'watch' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = pathName ? 'delete' : 'deletecollection';
      break;
    case 'OPTIONS':
      verb = 'options';
      break;
    default:
      verb = 'unknown';
  }
  let name = pathName;
  let nameInPath = pathName !== undefined;
  if (verb === 'list' || verb === 'watch') {
    name ??= nameFromFieldSelector(query.get('fieldSelector'));
    if (!watchPath) nameInPath = false;
  }
  const info: ResourceRequestInfo = { isResourceRequest: true, path, verb, group, version, resource, nameInPath, query };
  if (namespace !== undefined) info.namespace = namespace;
  if (subresource !== undefined) info.subresource = subresource;
  if (name !== undefined) info.name = name;
  return Object.freeze(info);
}
