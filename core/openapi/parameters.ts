/**
 * The non-body parameters of the operations, one list per k8s.io/apimachinery options type
 * (`GetOptions`, `ListOptions`, `CreateOptions`, `UpdateOptions`, `PatchOptions`,
 * `DeleteOptions`), as k8s.io/apiserver's `endpoints.AddObjectParams` advertises them.
 * Each document writes every parameter inline: kubectl looks for `fieldValidation` by name
 * among the PATCH operation's own parameters (cli-runtime `pkg/resource/query_param_verifier_v3.go`).
 */

export interface ParameterSpec {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly type: 'string' | 'boolean' | 'integer';
  readonly description: string;
}

const query = (name: string, type: ParameterSpec['type'], description: string): ParameterSpec =>
  Object.freeze({ name, in: 'query', type, description });

export const PRETTY = query('pretty', 'string', "If 'true', the output is pretty-printed.");

export const NAMESPACE = Object.freeze<ParameterSpec>({
  name: 'namespace', in: 'path', type: 'string', description: 'object name and auth scope, such as for teams and projects',
});

export const nameParameter = (kind: string): ParameterSpec =>
  Object.freeze({ name: 'name', in: 'path', type: 'string', description: `name of the ${kind}` });

const resourceVersion = query('resourceVersion', 'string',
  'Which resourceVersion the result must be at least as new as; unset means the most recent. See resourceVersionMatch.');
const dryRun = query('dryRun', 'string',
  "When present, the request is validated and processed but nothing is persisted. The only valid value is 'All'.");
const fieldManager = query('fieldManager', 'string',
  'The name of the actor making the change, recorded in managedFields. At most 128 printable characters. Required for apply patches.');
const fieldValidation = query('fieldValidation', 'string',
  "What to do with unknown or duplicate fields in the body: 'Ignore' drops them, 'Warn' drops them with a warning per field, 'Strict' rejects the request.");

export const GET_OPTIONS: readonly ParameterSpec[] = [resourceVersion];

/** ListOptions without the watch-only ones, so deletecollection can share them. */
export const LIST_OPTIONS: readonly ParameterSpec[] = [
  query('continue', 'string', 'The token from a previous page (its metadata.continue), to fetch the next page with the same query.'),
  query('fieldSelector', 'string', 'Only objects whose fields match, e.g. metadata.name=foo. Defaults to everything.'),
  query('labelSelector', 'string', 'Only objects whose labels match. Defaults to everything.'),
  query('limit', 'integer', 'The most items to return; when more exist, metadata.continue is set to fetch the rest.'),
  resourceVersion,
  query('resourceVersionMatch', 'string', "How resourceVersion applies to a list: 'NotOlderThan' or 'Exact'. Only with resourceVersion set."),
  query('timeoutSeconds', 'integer', 'Ends the list or watch call after this many seconds, whatever happens.'),
];

/** The ListOptions that only mean something with `watch=true`; advertised when the store can watch. */
export const WATCH_OPTIONS: readonly ParameterSpec[] = [
  query('allowWatchBookmarks', 'boolean', 'Asks for BOOKMARK events, which carry only a resourceVersion. Servers may ignore it.'),
  query('sendInitialEvents', 'boolean', 'With watch=true, start the stream with synthetic ADDED events for the current state, then a bookmark.'),
  query('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update and remove events.'),
];

export const CREATE_OPTIONS: readonly ParameterSpec[] = [dryRun, fieldManager, fieldValidation];
export const UPDATE_OPTIONS: readonly ParameterSpec[] = CREATE_OPTIONS;
export const PATCH_OPTIONS: readonly ParameterSpec[] = [
  ...CREATE_OPTIONS,
  query('force', 'boolean', 'Apply patches only: take over fields other managers own instead of failing with a conflict.'),
];

export const DELETE_OPTIONS: readonly ParameterSpec[] = [
  dryRun,
  query('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 means at once. Unset means the default for the kind.'),
  query('orphanDependents', 'boolean', 'Deprecated, use propagationPolicy: whether dependents are orphaned rather than deleted.'),
  query('propagationPolicy', 'string', "How dependents are garbage collected: 'Orphan', 'Background' or 'Foreground'."),
];

/** Sorted by name, so every document lists them the same way. */
export const byName = (params: readonly ParameterSpec[]): ParameterSpec[] =>
  [...params].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
