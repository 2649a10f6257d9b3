/**
 * The storage plugin contract. A plugin turns one kind into a Storage; core does
 * everything generic (metadata rules, validation, selectors, paging, tables, watch
 * bookkeeping, patch) and calls the store only for what the backend must do.
 *
 * resourceVersion is opaque to core: a store mints its own, monotonically, or passes
 * through its backing object's.
 */
import type { KindDefinition } from './kind.ts';
import type { KubeObject, ObjectList, WatchEvent } from './object.ts';

/** Discovery verbs, as kube-apiserver names them. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export const ALL_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Who is asking: handed to the store on every call. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface RequestContext {
  user: UserInfo;
  /**
   * Aborted when the client goes away or the request times out. An accessor that makes the
   * signal on first read (most calls never need one): a store that hands on a changed copy of
   * its context reads it, `{ ...ctx, signal: ctx.signal }`, since a spread copies no accessor.
   */
  signal: AbortSignal;
}

export interface WriteContext extends RequestContext {
  /** dryRun=All: validate and answer as if stored, but store nothing and emit no event. */
  dryRun: boolean;
}

export interface DeleteContext extends WriteContext {
  /** metav1.Preconditions: the delete fails with Conflict when either does not match. */
  preconditions: { uid?: string; resourceVersion?: string };
}

/** A label and field selector, parsed and checked by core once per request. */
export interface ObjectSelector {
  /** True when it selects every object. */
  readonly empty: boolean;
  matches(object: KubeObject): boolean;
}

/**
 * A list request as the store sees it. A store may evaluate the selectors itself (e.g. by
 * passing the strings to a backing API, or filtering with `selector`); core evaluates them
 * again, so a store may also ignore them.
 */
export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  /** The two selectors above, parsed (core sets it on every list and watch). */
  selector?: ObjectSelector;
}

export interface WatchQuery extends ListQuery {
  /**
   * Deliver every change after this resourceVersion (exclusive). A store that no longer
   * holds events that old throws StoreError('Expired'); one asked for a version it has not
   * reached yet throws StoreError('ResourceVersionTooLarge').
   */
  resourceVersion: string;
}

/**
 * The contract version this build of kindred speaks. A plugin says which one it was written
 * for (`StoragePlugin.contractVersion`); kindred refuses, at load, a plugin built for another.
 */
export const CONTRACT_VERSION = 1;

/**
 * Capabilities, one verb each, in the spirit of k8s.io/apiserver's `rest.Getter`, `Lister`,
 * `Watcher`, `Creater`, `Updater`, `GracefulDeleter`. A store implements the ones its
 * backend can do; the verbs a kind serves, its discovery entry, its OpenAPI operations and
 * its routes are all derived from them (see `verbsOf`):
 *
 *   get ← Getter            list ← Lister              watch ← Lister + Watcher
 *   create ← Creater        update, patch ← Getter + Updater
 *   delete ← Getter + Deleter
 *   deletecollection ← Lister + Deleter, or CollectionDeleter
 *
 * Core reads before it writes (an update or patch is get → change → update with the read
 * resourceVersion as precondition; a delete checks preconditions and finalizers on what
 * get returns), and a watch starts from a list, hence the pairs. A kind's subresources
 * (status, scale) are read with get and written as an update of the whole object.
 *
 * Who decides what:
 * - Core (core/registry/) decides everything generic: metadata rules (uid, generation,
 *   timestamps, managedFields, generateName), schema pruning, defaulting and validation,
 *   read-modify-write retries, finalizers and graceful delete, delete preconditions (checked
 *   before the store is called), selector matching, sorting and paging, watch filtering,
 *   and how each StoreError becomes a Status.
 * - The store decides what only the backend knows: whether a name is taken, whether the
 *   resourceVersion or the preconditions still hold at the moment of the write (checked
 *   again there, with `checkPreconditions` from ./errors.ts, so both word it the same), the
 *   resourceVersions themselves, and which events a watch delivers.
 *
 * Rules every store honours (the conformance kit, `kindred/plugin/testing`, checks them):
 * - resourceVersion is opaque to core but must be a decimal integer string that grows with
 *   every write the store accepts (watch resume compares them), and it never goes back,
 *   not even across a restart for a durable store. An empty store lists a resourceVersion
 *   other than "0" ("0" means "from now" to a watch).
 * - The store sets `metadata.resourceVersion` on what it returns; core fills every other
 *   metadata field (uid, creationTimestamp, generation, managedFields) before a write.
 * - A store never keeps a reference to an object it was given (the caller may change it
 *   afterwards), and never changes an object once it has returned it. Core never changes an
 *   object a store returned, so a store may hand out its own (frozen) objects unchanged.
 * - A list may come in any order: core sorts it once, by namespace then name.
 * - dryRun writes run every check and store nothing: no resourceVersion moves, no event.
 *   A dry-run create returns the object without a resourceVersion; a dry-run update or
 *   delete returns it with the stored one.
 * - Errors are StoreErrors with a Kubernetes reason (NotFound, AlreadyExists, Conflict,
 *   Invalid, Expired, ServiceUnavailable with retryAfterSeconds...). Anything else thrown is
 *   treated as a bug: logged, and answered 500.
 */
export interface Getter {
  /** The object, or StoreError('NotFound'). `namespace` is undefined for cluster-scoped kinds. */
  get(namespace: string | undefined, name: string, req: RequestContext): Promise<KubeObject>;
}

export interface Lister {
  /**
   * Every object in the namespace (all namespaces when undefined), in any order, with the
   * store's current resourceVersion. Selectors in `query` are hints: core evaluates them again.
   * That resourceVersion is how a store says which version it can serve: core answers
   * `resourceVersionMatch=Exact` only at it (older: 410), waits up to 3 s for a store to reach
   * a newer one asked for (then 504 ResourceVersionTooLarge), and pages a list over the
   * snapshot of its first page (core/list-snapshots.ts), so a store need not keep history.
   */
  list(namespace: string | undefined, query: ListQuery, req: RequestContext): Promise<ObjectList>;
}

export interface Watcher {
  /**
   * Changes after `query.resourceVersion` ("0" or "": from now), in order, until the
   * iteration is ended (`return()`), the signal aborts, or the store closes. Checks its
   * resourceVersion when called: Expired (410) when events that old are gone,
   * ResourceVersionTooLarge when the store has not reached it. A store may yield BOOKMARK
   * events carrying only `metadata.resourceVersion` to say how far it has got.
   * `lib/watch` (`EventLog`, `WatchFanout`) implements all of this over any store's writes.
   */
  watch(namespace: string | undefined, query: WatchQuery, req: RequestContext): AsyncIterable<WatchEvent>;
}

export interface Creater {
  /** Stores a new object (metadata completed by core) and returns it with its resourceVersion; AlreadyExists if the name is taken. */
  create(object: KubeObject, req: WriteContext): Promise<KubeObject>;
}

export interface Updater {
  /**
   * Replaces an object. `object.metadata.resourceVersion`, when set, is a precondition: when
   * it does not equal the stored one, throw StoreError('Conflict'). NotFound when absent.
   * Core always sets it (it reads, changes and writes back), so no update is lost.
   */
  update(object: KubeObject, req: WriteContext): Promise<KubeObject>;
}

export interface Deleter {
  /**
   * Removes an object and returns its last state, with the resourceVersion of the deletion
   * (the object a DELETED watch event carries). NotFound when absent; Conflict when a
   * precondition fails.
   */
  delete(namespace: string | undefined, name: string, req: DeleteContext): Promise<KubeObject>;
}

export interface CollectionDeleter {
  /** Deletes every object of the namespace that `query` selects, natively; returns them. */
  deleteCollection(namespace: string | undefined, query: ListQuery, req: DeleteContext): Promise<KubeObject[]>;
}

/**
 * A store for one kind: `close` plus any of the capabilities above. Write it as a class
 * that `implements Storage, Getter, Lister, ...` the ones it supports.
 */
export interface Storage extends Partial<Getter & Lister & Watcher & Creater & Updater & Deleter & CollectionDeleter> {
  /**
   * The objects hold secrets: core never puts their contents in a log or an audit event
   * (audit is capped at Metadata for the kind, whatever the policy).
   */
  readonly sensitive?: boolean;
  /**
   * Whether the backend can be reached now, for `/readyz?verbose`. Informational: a backend
   * that is down makes its kind answer 503, never kindred unready.
   */
  health?(): { ok: boolean; message?: string };
  /** Releases connections and ends open watches. Called once the kind is no longer served. */
  close(): Promise<void>;
}

export const canGet = (store: Storage): store is Storage & Getter => typeof store.get === 'function';
export const canList = (store: Storage): store is Storage & Lister => typeof store.list === 'function';
export const canWatch = (store: Storage): store is Storage & Watcher => typeof store.watch === 'function';
export const canCreate = (store: Storage): store is Storage & Creater => typeof store.create === 'function';
export const canUpdate = (store: Storage): store is Storage & Updater => typeof store.update === 'function';
export const canDelete = (store: Storage): store is Storage & Deleter => typeof store.delete === 'function';
export const canDeleteCollection = (store: Storage): store is Storage & CollectionDeleter => typeof store.deleteCollection === 'function';

/** The verbs a store serves, derived from its capabilities; the one place that decides. */
export function verbsOf(store: Storage): ReadonlySet<Verb> {
  const verbs = new Set<Verb>();
  if (canGet(store)) verbs.add('get');
  if (canList(store)) verbs.add('list');
  if (canList(store) && canWatch(store)) verbs.add('watch');
  if (canCreate(store)) verbs.add('create');
  if (canGet(store) && canUpdate(store)) {
    verbs.add('update');
    verbs.add('patch');
  }
  if (canGet(store) && canDelete(store)) verbs.add('delete');
  if (canDeleteCollection(store) || (canList(store) && canDelete(store))) verbs.add('deletecollection');
  return verbs;
}

/** What core gives a plugin when it creates a store. */
export interface PluginContext {
  /** The folder the config was loaded from, for resolving relative paths in options. */
  configDir: string;
  /** A logger already labelled with the plugin and kind. */
  log: PluginLogger;
  /**
   * The kubeconfig file kindred was given (`--kubeconfig`), for plugins that store objects in
   * a Kubernetes cluster. Undefined means: use the in-cluster config when running in a pod.
   */
  kubeconfigPath?: string;
  /**
   * The folder where process-local durable plugins keep their data (`kindred serve
   * --data-dir`, default `.kindred/data`). Undefined when kindred was started without one.
   */
  dataDir?: string;
  /**
   * The etcd cluster kindred was given (`--etcd-servers` and friends), for plugins that store
   * objects in etcd. Undefined when no `--etcd-servers` was given.
   */
  etcd?: EtcdSettings;
}

/** Where etcd-backed plugins keep objects: kube-apiserver's `--etcd-*` flags, as data. */
export interface EtcdSettings {
  /** Client URLs (`--etcd-servers`), e.g. `https://127.0.0.1:2379`. */
  servers: string[];
  /** Key prefix every object key starts with (`--etcd-prefix`), e.g. `/kindred`. */
  prefix: string;
  /** PEM files for TLS (`--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile`). */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface PluginLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

/** What a plugin module exports (as its default export, or as named `plugin`). */
export interface StoragePlugin<Options = Record<string, unknown>> {
  /** The contract the plugin was written for: `CONTRACT_VERSION` of the kindred it built against. */
  readonly contractVersion: typeof CONTRACT_VERSION;
  readonly name: string;
  /**
   * JSON Schema for `backend.options`; checked (with defaults applied) when config loads,
   * errors named by path, so `create` receives options of type `Options`.
   */
  readonly optionsSchema: Record<string, unknown>;
  /**
   * True when the data lives in the process or on its local disk (memory, embedded): only one
   * replica may serve such a kind, or each replica serves its own objects. `kindred validate
   * --replicas N` warns about them.
   */
  readonly processLocal?: boolean;
  create(kind: KindDefinition, options: Options, ctx: PluginContext): Promise<Storage>;
  /**
   * Optional. The store for a kind whose definition changed (its backend options, its
   * schema...) while `previous`, made by this plugin for the same kind and scope, still
   * serves it: the new store must serve the same objects and resourceVersions, and keep
   * writes that requests still in flight make through `previous`. kindred closes `previous`
   * once those requests have drained. Without `reopen`, kindred calls `create`, which suits
   * a store whose data lives outside the process (it reopens the same data).
   */
  reopen?(previous: Storage, kind: KindDefinition, options: Options, ctx: PluginContext): Promise<Storage>;
}

/**
 * Declares a plugin with its options type checked against `create`:
 *   export default definePlugin<{ url: string }>({ contractVersion: 1, name: 'x', optionsSchema, create })
 */
export function definePlugin<Options>(plugin: StoragePlugin<Options>): StoragePlugin<Options> {
  return plugin;
}
