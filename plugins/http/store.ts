/**
 * The `http` store: one kind served from an external REST service. Every verb goes to the
 * service (no cache answers a read), through the kind's RequestGuard; KnownObjects mints the
 * resourceVersions and feeds the watch fan-out; one Poller per kind lists the service while
 * watches are open, so changes made directly in the service reach every watch.
 *
 * Optimistic concurrency. An update or delete first reads the record: its resourceVersion
 * precondition is checked against that read (a record changed outside kindred since the client
 * read it is a Conflict). Then the write goes out:
 * - `concurrency: ifMatch`: with the read's ETag in If-Match; a service that honours it closes
 *   the race, answering 412 (Conflict) when the record changed in between;
 * - `readCompareWrite` (default): without; a change made outside kindred between the read and
 *   the write (one round trip, usually milliseconds) is overwritten. kindred's own writes to a
 *   record are serialized in the process, so they never race each other.
 *
 * Names: with the namespace in the record, the service's id is the name, so a name is unique
 * across namespaces (a create of a name another namespace uses is AlreadyExists).
 * A create first reads the item (AlreadyExists when it is there): many services, json-server
 * among them, answer a duplicate POST with a 500.
 */
import { objectIdentity, scopedNamespace } from '../../lib/store/object-rules.ts';
import { StoreError, checkPreconditions } from '../../core/types/errors.ts';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { KubeObject, ObjectList, WatchEvent } from '../../core/types/object.ts';
import type { Creater, DeleteContext, Deleter, Getter, ListQuery, Lister, PluginLogger, RequestContext, Storage, Updater, Watcher, WatchQuery, WriteContext } from '../../core/types/storage.ts';
import type { ServiceResponse } from './client.ts';
import { malformed } from './errors.ts';
import { KnownObjects, keyOf, type Observed } from './known.ts';
import type { RecordMapping } from './mapping.ts';
import type { HttpOptions } from './options.ts';
import { isObject, type JsonObject } from './pointer.ts';
import { Poller } from './poller.ts';
import { ok, type Fetched, type ServiceApi } from './service.ts';
import { cloneJson } from '../../lib/json.ts';

export interface HttpStoreParts {
  api: ServiceApi;
  mapping: RecordMapping;
  log: PluginLogger;
  options: Pick<HttpOptions, 'namespaces'> & { pollIntervalSeconds: number; watchWindow: number };
}

export class HttpStore implements Storage, Getter, Lister, Watcher, Creater, Updater, Deleter {
  readonly #kind: KindDefinition;
  readonly #parts: HttpStoreParts;
  readonly #api: ServiceApi;
  readonly #known: KnownObjects;
  readonly #poller: Poller;
  readonly #closing = new AbortController();
  /** The write in progress per key: kindred's own writes to one record never interleave. */
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #resource: string;
  /** With `{namespace}` in the url: every namespace a client asked about, polled from then on. */
  readonly #namespacesAsked = new Set<string>();

  constructor(kind: KindDefinition, parts: HttpStoreParts) {
    this.#kind = kind;
    this.#parts = parts;
    this.#api = parts.api;
    this.#resource = `${kind.names.plural}.${kind.group}`;
    this.#known = new KnownObjects({ window: parts.options.watchWindow, log: parts.log });
    const changes = this.#api.changeStream(() => this.#poller.pollNow(), parts.log);
    this.#poller = new Poller({
      intervalMs: parts.options.pollIntervalSeconds * 1000,
      poll: () => this.#sync(undefined, this.#closing.signal).then(() => undefined),
      active: () => this.#known.openWatches > 0,
      log: parts.log,
      ...(changes ? { onRunning: (running: boolean) => (running ? changes.start() : changes.stop()) } : {}),
    });
  }

  get openWatches(): number {
    return this.#known.openWatches;
  }

  async get(namespace: string | undefined, name: string, req: RequestContext): Promise<KubeObject> {
    const ns = scopedNamespace(this.#kind.scope, namespace);
    const key = keyOf(ns, name);
    const seq = this.#known.begin();
    try {
      const found = await this.#api.fetchItem(ns, name, req.signal, `get ${this.#what(ns, name)}`);
      const object = this.#known.observe(seq, key, found && this.#observed(found.record, ns));
      if (!object) throw this.#notFound(ns, name);
      return object;
    } finally {
      this.#known.end(seq);
    }
  }

  async list(namespace: string | undefined, _query: ListQuery, req: RequestContext): Promise<ObjectList> {
    const ns = scopedNamespace(this.#kind.scope, namespace);
    const covered = await this.#sync(ns, req.signal);
    return { items: this.#known.list((o) => covered(o)), resourceVersion: this.#known.resourceVersion };
  }

  watch(namespace: string | undefined, query: WatchQuery, req: RequestContext): AsyncIterable<WatchEvent> {
    this.#assertOpen();
    const ns = scopedNamespace(this.#kind.scope, namespace);
    const events = this.#known.watch(ns, query.resourceVersion, req);
    if (ns !== undefined) this.#namespacesAsked.add(ns);
    this.#poller.start();
    return events;
  }

  async create(object: KubeObject, req: WriteContext): Promise<KubeObject> {
    const { ns, name, key } = this.#identity(object);
    const record = this.#parts.mapping.toRecord(object);
    return this.#locked(key, async () => {
      const what = `create ${this.#what(ns, name)}`;
      const seq = this.#known.begin();
      try {
        const existing = await this.#api.fetchItem(ns, name, req.signal, what, true);
        if (existing) {
          this.#known.observe(seq, key, this.#observed(existing.record, ns));
          throw new StoreError('AlreadyExists', `${this.#kind.names.singular} "${name}" already exists`);
        }
      } finally {
        this.#known.end(seq);
      }
      if (req.dryRun) {
        const wouldBe = cloneJson(object);
        delete wouldBe.metadata.resourceVersion;
        return wouldBe;
      }
      const res = await this.#api.send('POST', this.#api.endpoints.create(ns), what, req.signal, { body: record });
      if (!ok(res.response)) throw this.#api.error(res.response, what, true);
      return this.#stored(key, ns, name, res.response, req.signal, what);
    });
  }

  async update(object: KubeObject, req: WriteContext): Promise<KubeObject> {
    const { ns, name, key } = this.#identity(object);
    return this.#locked(key, async () => {
      const what = `update ${this.#what(ns, name)}`;
      const { current, known } = await this.#readForWrite(ns, name, key, req.signal, what);
      const wanted = object.metadata.resourceVersion;
      if (wanted && wanted !== known.metadata.resourceVersion) throw conflict(what);
      const record = this.#parts.mapping.toRecord(object, current.record);
      if (req.dryRun) {
        const wouldBe = cloneJson(object);
        wouldBe.metadata.resourceVersion = known.metadata.resourceVersion;
        return wouldBe;
      }
      const ifMatch = this.#api.ifMatch(current);
      const res = await this.#api.send('PUT', this.#api.endpoints.item('update', ns, name), what, req.signal, { body: record, headers: ifMatch, idempotent: !ifMatch });
      if (!ok(res.response)) throw this.#api.error(res.response, what);
      return this.#stored(key, ns, name, res.response, req.signal, what);
    });
  }

  async delete(namespace: string | undefined, name: string, req: DeleteContext): Promise<KubeObject> {
    const ns = scopedNamespace(this.#kind.scope, namespace);
    const key = keyOf(ns, name);
    return this.#locked(key, async () => {
      const what = `delete ${this.#what(ns, name)}`;
      const { current, known } = await this.#readForWrite(ns, name, key, req.signal, what);
      checkPreconditions(req.preconditions, known);
      if (req.dryRun) return known;
      const ifMatch = this.#api.ifMatch(current);
      const res = await this.#api.send('DELETE', this.#api.endpoints.item('delete', ns, name), what, req.signal, { headers: ifMatch, idempotent: !ifMatch });
      // A 404 to a retry means the attempt whose answer was lost did delete it.
      const gone = ok(res.response) || (res.response.status === 404 && res.attempts > 1);
      if (!gone) throw this.#api.error(res.response, what);
      const seq = this.#known.begin();
      try {
        return this.#known.forget(seq, key) ?? { ...known, metadata: { ...known.metadata, resourceVersion: this.#known.resourceVersion } };
      } finally {
        this.#known.end(seq);
      }
    });
  }

  async close(): Promise<void> {
    this.#closing.abort();
    this.#poller.stop();
    this.#known.close();
    this.#api.close();
  }

  /**
   * Lists the service (one namespace, or all) and applies it to the known objects.
   * Returns which known objects the list covered.
   */
  async #sync(ns: string | undefined, signal: AbortSignal): Promise<(object: KubeObject) => boolean> {
    this.#assertOpen();
    const { endpoints } = this.#api;
    const { options } = this.#parts;
    // With {namespace} in the url, "all namespaces" is the configured ones, those clients asked about and those seen so far.
    if (endpoints.namespaceInUrl && ns !== undefined) this.#namespacesAsked.add(ns);
    const namespaces: (string | undefined)[] =
      endpoints.namespaceInUrl && ns === undefined ? [...new Set([...(options.namespaces ?? []), ...this.#namespacesAsked, ...this.#known.namespaces()])] : [ns];
    const seq = this.#known.begin();
    try {
      const seen = new Map<string, Observed>();
      for (const listed of namespaces) {
        const what = `list ${this.#resource}${listed === undefined ? '' : ` in ${listed}`}`;
        const records = await this.#api.listRecords(listed, signal, what);
        for (const record of records) {
          const observed = this.#observed(record, listed);
          if (!observed) {
            this.#parts.log.debug({ resource: this.#resource }, 'skipped a record without a usable name or namespace');
            continue;
          }
          const { name, namespace } = observed.object.metadata;
          if (ns !== undefined && namespace !== ns) continue;
          seen.set(keyOf(namespace, name ?? ''), observed);
        }
      }
      const fetched = new Set(namespaces);
      const covered = (o: KubeObject) => (ns === undefined && !endpoints.namespaceInUrl) || fetched.has(o.metadata.namespace);
      this.#known.reconcile(seq, seen, covered);
      return covered;
    } finally {
      this.#known.end(seq);
    }
  }

  /** Reads the record an update or delete is about, and records what it saw. NotFound when it is gone. */
  async #readForWrite(ns: string | undefined, name: string, key: string, signal: AbortSignal, what: string): Promise<{ current: Fetched; known: KubeObject }> {
    const seq = this.#known.begin();
    try {
      const current = await this.#api.fetchItem(ns, name, signal, what);
      const known = this.#known.observe(seq, key, current && this.#observed(current.record, ns));
      if (!current || !known) throw this.#notFound(ns, name);
      return { current, known };
    } finally {
      this.#known.end(seq);
    }
  }

  /** The object after a write: from the answer's body when it is the record, else read again. */
  async #stored(key: string, ns: string | undefined, name: string, res: ServiceResponse, signal: AbortSignal, what: string): Promise<KubeObject> {
    let record: JsonObject | undefined = isObject(res.body) && this.#parts.mapping.nameOf(res.body) === name ? res.body : undefined;
    if (!record) record = (await this.#api.fetchItem(ns, name, signal, what))?.record;
    const observed = record && this.#observed(record, ns);
    if (!observed) throw malformed(what, 'no record after the write');
    const seq = this.#known.begin();
    try {
      return this.#known.observe(seq, key, observed) ?? observed.object;
    } finally {
      this.#known.end(seq);
    }
  }

  #observed(record: unknown, namespaceFromUrl: string | undefined): Observed | undefined {
    const object = this.#parts.mapping.toObject(record, namespaceFromUrl);
    return object && isObject(record) ? { object, token: this.#parts.mapping.tokenOf(record) } : undefined;
  }

  async #locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#locks.get(key) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(work);
    this.#locks.set(key, mine);
    try {
      return await mine;
    } finally {
      if (this.#locks.get(key) === mine) this.#locks.delete(key);
    }
  }

  #identity(object: KubeObject): { ns: string | undefined; name: string; key: string } {
    const { namespace: ns, name } = objectIdentity(this.#kind.scope, object);
    if (this.#kind.scope === 'Namespaced' && !ns) throw new StoreError('BadRequest', 'metadata.namespace is required');
    return { ns, name, key: keyOf(ns, name) };
  }

  #what(ns: string | undefined, name: string): string {
    return `${this.#resource} ${ns === undefined ? '' : `${ns}/`}${name}`;
  }

  #notFound(ns: string | undefined, name: string): StoreError {
    return new StoreError('NotFound', `${this.#kind.names.plural}.${this.#kind.group} "${name}" not found${ns ? ` in ${ns}` : ''}`);
  }

  #assertOpen(): void {
    if (this.#closing.signal.aborted) throw new StoreError('ServiceUnavailable', `the http store of ${this.#resource} is closed`, { retryAfterSeconds: 1 });
  }
}


function conflict(what: string): StoreError {
  return new StoreError('Conflict', `${what}: the object has been modified; please apply your changes to the latest version and try again`);
}

