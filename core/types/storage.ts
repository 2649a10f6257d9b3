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
  /** Aborted when the client goes away or the request times out. */
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

/**
 * A list request as the store sees it. A store may evaluate the selectors itself (e.g. by
 * passing them to a backing API); core evaluates them again, so a store may also ignore them.
 */
export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchQuery extends ListQuery {
  /**
   * Deliver every change after this resourceVersion (exclusive). A store that no longer
   * holds events that old throws StoreError('Expired'); one asked for a version it has not
   * reached yet throws StoreError('ResourceVersionTooLarge').
   */
  resourceVersion: string;
}

export interface Storage {
  /** The verbs this store supports; discovery lists exactly these and the rest answer 405. */
  readonly verbs: ReadonlySet<Verb>;

  /** The object, or StoreError('NotFound'). `namespace` is undefined for cluster-scoped kinds. */
  get(namespace: string | undefined, name: string, req: RequestContext): Promise<KubeObject>;

  /** Every object in the namespace (all namespaces when undefined), with the store's current resourceVersion. */
  list(namespace: string | undefined, query: ListQuery, req: RequestContext): Promise<ObjectList>;

  /** Stores a new object (metadata already completed by core) and returns it with its resourceVersion; AlreadyExists if the name is taken. */
  create(object: KubeObject, req: WriteContext): Promise<KubeObject>;

  /**
   * Replaces an object. `object.metadata.resourceVersion` is a precondition: when it does
   * not equal the stored one, throw StoreError('Conflict'). NotFound when absent.
   */
  update(object: KubeObject, req: WriteContext): Promise<KubeObject>;

  /** Removes an object and returns its last state. NotFound when absent; Conflict when a precondition fails. */
  delete(namespace: string | undefined, name: string, req: DeleteContext): Promise<KubeObject>;

  /**
   * Changes after `query.resourceVersion`, in order, until the iteration is ended
   * (`return()`), the signal aborts, or the store closes. A store may yield BOOKMARK
   * events carrying only `metadata.resourceVersion` to say how far it has got.
   */
  watch(namespace: string | undefined, query: WatchQuery, req: RequestContext): AsyncIterable<WatchEvent>;

  /** Releases connections and ends open watches. Called once the kind is no longer served. */
  close(): Promise<void>;
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
}

export interface PluginLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

/** What a plugin module exports (as its default export, or as named `plugin`). */
export interface StoragePlugin<Options = Record<string, unknown>> {
  readonly name: string;
  /** JSON Schema for `backend.options`; checked when config loads, errors named by path. */
  readonly optionsSchema: Record<string, unknown>;
  create(kind: KindDefinition, options: Options, ctx: PluginContext): Promise<Storage>;
}
