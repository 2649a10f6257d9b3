/**
 * The etcd Storage: each object is one etcd key (keys.ts) holding its JSON, and its
 * resourceVersion is the key's mod revision, as in kube-apiserver. Every write is one etcd
 * transaction on that revision, so several kindred processes on one etcd never lose an
 * update to each other:
 *
 *   create   if create_revision(key) = 0      then put     else → AlreadyExists
 *   update   if mod_revision(key) = expected  then put     else → Conflict (or NotFound)
 *   delete   if mod_revision(key) = read      then delete  else read again (preconditions)
 *
 * Contracts beyond core/types/storage.ts:
 * - The stored JSON has no `metadata.resourceVersion`: the revision is etcd's, not the value's.
 * - A list is one range read at one etcd revision, returned with that revision; sorted here
 *   (etcd's key order puts `a-b/x` before `a/y`, the contract wants namespace order).
 * - Watches share one etcd watch per kind (watch.ts).
 * - etcd unreachable: every call fails within seconds with 503 ServiceUnavailable and
 *   Retry-After (client.ts); other kinds are untouched, and recovery needs nothing.
 */
import type { Etcd3, IKeyValue, IRangeResponse } from 'etcd3';
import { StoreError } from '../../core/types/errors.ts';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { KubeObject, ObjectList, WatchEvent } from '../../core/types/object.ts';
import type {
  Creater,
  DeleteContext,
  Deleter,
  Getter,
  ListQuery,
  Lister,
  PluginLogger,
  RequestContext,
  Storage,
  Updater,
  Watcher,
  WatchQuery,
  WriteContext,
} from '../../core/types/storage.ts';
import { unavailable } from './client.ts';
import { KeyLayout } from './keys.ts';
import { SharedKindWatch } from './watch.ts';
import { PendingWatch } from '../../lib/watch/pending-watch.ts';
import { byNamespaceThenName, checkDeletePreconditions, notFound, STALE_OBJECT, objectIdentity, scopedNamespace } from '../../lib/store/object-rules.ts';

export interface EtcdStoreOptions {
  client: Etcd3;
  /** `--etcd-prefix`. */
  prefix: string;
  /** How many past events a watch can resume from. */
  watchWindow?: number;
  log: PluginLogger;
  /** Called once by close(): gives the shared client back. */
  onClose?: () => void;
}

export class EtcdStore implements Storage, Getter, Lister, Watcher, Creater, Updater, Deleter {
  readonly #kind: KindDefinition;
  readonly #client: Etcd3;
  readonly #keys: KeyLayout;
  readonly #watch: SharedKindWatch;
  readonly #resource: string;
  readonly #onClose: (() => void) | undefined;
  #closed = false;
  /** Why the last etcd call failed to reach etcd; undefined once one succeeds. */
  #unreachable: string | undefined;

  constructor(kind: KindDefinition, options: EtcdStoreOptions) {
    this.#kind = kind;
    this.#client = options.client;
    this.#keys = new KeyLayout(options.prefix, kind);
    this.#resource = `${kind.names.plural}.${kind.group}`;
    this.#onClose = options.onClose;
    this.#watch = new SharedKindWatch({
      client: options.client,
      range: this.#keys.range(undefined),
      decode: decodeObject,
      tombstone: (key, resourceVersion) => this.#tombstone(key, resourceVersion),
      resource: this.#resource,
      log: options.log,
      ...(options.watchWindow === undefined ? {} : { window: options.watchWindow }),
    });
  }

  /** How many client watches are open: for tests and metrics. */
  get openWatches(): number {
    return this.#watch.openWatches;
  }

  /** For `/readyz?verbose`: whether the last etcd call (or the shared watch) reached etcd. */
  health(): { ok: boolean; message?: string } {
    const why = this.#unreachable ?? this.#watch.unreachable;
    return why === undefined ? { ok: true } : { ok: false, message: why };
  }

  /** The etcd key prefix of this kind: for tests and operators. */
  get keyPrefix(): string {
    return this.#keys.kindPrefix;
  }

  async get(namespace: string | undefined, name: string, _req: RequestContext): Promise<KubeObject> {
    const kv = await this.#read(namespace, name);
    if (!kv) throw notFound(name);
    return decodeObject(kv.value, kv.mod_revision);
  }

  /** One range read: every object at one etcd revision. Selectors are left to core. */
  async list(namespace: string | undefined, _query: ListQuery, _req: RequestContext): Promise<ObjectList> {
    this.#assertOpen();
    const range = await this.#call(() => this.#client.kv.range(this.#keys.range(scopedNamespace(this.#kind.scope, namespace))));
    const items = range.kvs.map((kv) => decodeObject(kv.value, kv.mod_revision));
    items.sort(byNamespaceThenName);
    return { items, resourceVersion: range.header.revision };
  }

  async create(object: KubeObject, req: WriteContext): Promise<KubeObject> {
    this.#assertOpen();
    const { namespace, name } = objectIdentity(this.#kind.scope, object);
    const key = this.#keys.object(namespace, name);
    const value = encodeObject(object);
    if (req.dryRun) {
      if (await this.#read(namespace, name)) throw alreadyExists(name);
      return decodeObject(value, undefined);
    }
    const txn = await this.#call(() =>
      this.#client.kv.txn({
        compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key, value } }],
      }),
    );
    if (!txn.succeeded) throw alreadyExists(name);
    return decodeObject(value, txn.header.revision);
  }

  /** Conditional on `metadata.resourceVersion` when set; otherwise on the key existing. */
  async update(object: KubeObject, req: WriteContext): Promise<KubeObject> {
    this.#assertOpen();
    const { namespace, name } = objectIdentity(this.#kind.scope, object);
    const key = this.#keys.object(namespace, name);
    const value = encodeObject(object);
    const wanted = object.metadata.resourceVersion;
    if (req.dryRun) {
      const current = await this.#read(namespace, name);
      if (!current) throw notFound(name);
      if (wanted && wanted !== current.mod_revision) throw new StoreError('Conflict', STALE_OBJECT);
      return decodeObject(value, current.mod_revision);
    }
    const txn = await this.#call(() =>
      this.#client.kv.txn({
        compare: wanted
          ? [{ key, target: 'Mod', result: 'Equal', mod_revision: wanted }]
          : [{ key, target: 'Create', result: 'Greater', create_revision: 0 }],
        success: [{ request_put: { key, value } }],
        failure: [{ request_range: { key, count_only: true } }],
      }),
    );
    if (!txn.succeeded) {
      const exists = Number(txn.responses[0]?.response_range.count ?? 0) > 0;
      throw exists ? new StoreError('Conflict', STALE_OBJECT) : notFound(name);
    }
    return decodeObject(value, txn.header.revision);
  }

  /**
   * Reads, checks the preconditions, and deletes only if nothing changed in between; a
   * change in between means read and check again (kube's GuaranteedDelete).
   */
  async delete(namespace: string | undefined, name: string, req: DeleteContext): Promise<KubeObject> {
    this.#assertOpen();
    const key = this.#keys.object(namespace, name);
    for (;;) {
      const kv = await this.#read(namespace, name);
      if (!kv) throw notFound(name);
      const current = decodeObject(kv.value, kv.mod_revision);
      checkDeletePreconditions(current, req.preconditions);
      if (req.dryRun) return current;
      const txn = await this.#call(() =>
        this.#client.kv.txn({
          compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: kv.mod_revision }],
          success: [{ request_delete_range: { key } }],
        }),
      );
      if (txn.succeeded) return { ...current, metadata: { ...current.metadata, resourceVersion: txn.header.revision } };
    }
  }

  /** Changes after `query.resourceVersion`, from the kind's shared etcd watch. */
  watch(namespace: string | undefined, query: WatchQuery, req: RequestContext): AsyncIterable<WatchEvent> {
    this.#assertOpen();
    return new PendingWatch(this.#watch.open(scopedNamespace(this.#kind.scope, namespace), query.resourceVersion, req));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch.close();
    this.#onClose?.();
  }

  #tombstone(key: Buffer, resourceVersion: string): KubeObject | undefined {
    const identity = this.#keys.parse(key);
    if (!identity) return undefined;
    const storage = this.#kind.versions.find((v) => v.storage) ?? this.#kind.versions[0];
    const metadata: KubeObject['metadata'] = { name: identity.name, resourceVersion };
    if (identity.namespace !== undefined) metadata.namespace = identity.namespace;
    return { apiVersion: `${this.#kind.group}/${storage?.name ?? ''}`, kind: this.#kind.names.kind, metadata };
  }

  async #read(namespace: string | undefined, name: string): Promise<IKeyValue | undefined> {
    this.#assertOpen();
    const key = this.#keys.object(scopedNamespace(this.#kind.scope, namespace), name);
    const range: IRangeResponse = await this.#call(() => this.#client.kv.range({ key }));
    return range.kvs[0];
  }

  /** An etcd call, its failure to reach etcd turned into 503. */
  async #call<T>(call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      this.#unreachable = undefined;
      return result;
    } catch (error) {
      const converted = unavailable(error, this.#resource);
      if (converted instanceof StoreError && converted.reason === 'ServiceUnavailable') this.#unreachable = converted.message;
      throw converted;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('ServiceUnavailable', `the etcd store of ${this.#resource} is closed`);
  }

}

/** The stored form: the object's JSON without its resourceVersion. */
function encodeObject(object: KubeObject): Buffer {
  const { resourceVersion: _ignored, ...metadata } = object.metadata;
  return Buffer.from(JSON.stringify({ ...object, metadata }));
}

/** The object a stored value holds, with `resourceVersion` (none for a dry-run create). */
export function decodeObject(value: Buffer, resourceVersion: string | undefined): KubeObject {
  const object = JSON.parse(value.toString('utf8')) as KubeObject;
  if (typeof object !== 'object' || object === null || typeof object.metadata !== 'object' || object.metadata === null) {
    throw new Error('not a Kubernetes object');
  }
  if (resourceVersion !== undefined) object.metadata.resourceVersion = resourceVersion;
  return object;
}

function alreadyExists(name: string): StoreError {
  return new StoreError('AlreadyExists', `${name} already exists`);
}
