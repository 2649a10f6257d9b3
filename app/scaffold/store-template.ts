/** The `src/index.ts` that `kindred new-plugin` writes: a working store to start from. */
export const STORE_TEMPLATE = `/**
 * __NAME__: a kindred storage plugin. This starting point keeps objects in memory; replace
 * the Map with your backend and keep the rules of the contract (see the doc comments of
 * Storage and its capability interfaces in \`kindred/plugin\`, and docs/plugins.md of kindred).
 * \`npm test\` runs kindred's conformance kit against it.
 */
import {
  CONTRACT_VERSION,
  StoreError,
  WatchFanout,
  definePlugin,
  type Creater,
  type DeleteContext,
  type Deleter,
  type Getter,
  type KindDefinition,
  type KubeObject,
  type ListQuery,
  type Lister,
  type ObjectList,
  type RequestContext,
  type Storage,
  type Updater,
  type WatchEvent,
  type WatchQuery,
  type Watcher,
  type WriteContext,
} from 'kindred/plugin';

export interface Options {
  /** How many past events a watch can resume from. */
  watchWindow: number;
}

export class MapStore implements Storage, Getter, Lister, Watcher, Creater, Updater, Deleter {
  readonly #objects = new Map<string, KubeObject>();
  readonly #watches: WatchFanout;
  readonly #namespaced: boolean;
  /** Starts at 1: an empty store must not list as "0", which means "from now" to a watch. */
  #rv = 1;

  constructor(kind: KindDefinition, options: Options) {
    this.#namespaced = kind.scope === 'Namespaced';
    this.#watches = new WatchFanout({ initialRv: this.#rv, window: options.watchWindow });
  }

  async get(namespace: string | undefined, name: string, _req: RequestContext): Promise<KubeObject> {
    return structuredClone(this.#stored(namespace, name));
  }

  async list(namespace: string | undefined, _query: ListQuery, _req: RequestContext): Promise<ObjectList> {
    const items = [...this.#objects.values()]
      .filter((o) => namespace === undefined || !this.#namespaced || o.metadata.namespace === namespace)
      .map((o) => structuredClone(o))
      .sort((a, b) => compare(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || compare(a.metadata.name ?? '', b.metadata.name ?? ''));
    return { items, resourceVersion: String(this.#rv) };
  }

  watch(namespace: string | undefined, query: WatchQuery, req: RequestContext): AsyncIterable<WatchEvent> {
    return this.#watches.open(this.#namespaced ? namespace : undefined, query.resourceVersion, this.#rv, req);
  }

  async create(object: KubeObject, req: WriteContext): Promise<KubeObject> {
    const key = this.#key(object.metadata.namespace, object.metadata.name ?? '');
    if (this.#objects.has(key)) throw new StoreError('AlreadyExists', \`\${object.metadata.name} already exists\`);
    const created = structuredClone(object);
    // A dry run stores nothing, so there is no resourceVersion to return.
    if (req.dryRun) return (delete created.metadata.resourceVersion, created);
    return this.#write(key, created, 'ADDED');
  }

  async update(object: KubeObject, req: WriteContext): Promise<KubeObject> {
    const current = this.#stored(object.metadata.namespace, object.metadata.name ?? '');
    const wanted = object.metadata.resourceVersion;
    if (wanted && wanted !== current.metadata.resourceVersion) throw new StoreError('Conflict', 'the object has been modified');
    const updated = structuredClone(object);
    if (req.dryRun) return { ...updated, metadata: { ...updated.metadata, resourceVersion: current.metadata.resourceVersion! } };
    return this.#write(this.#key(object.metadata.namespace, object.metadata.name ?? ''), updated, 'MODIFIED');
  }

  async delete(namespace: string | undefined, name: string, req: DeleteContext): Promise<KubeObject> {
    const current = this.#stored(namespace, name);
    const { uid, resourceVersion } = req.preconditions;
    if ((uid && uid !== current.metadata.uid) || (resourceVersion && resourceVersion !== current.metadata.resourceVersion)) {
      throw new StoreError('Conflict', 'a precondition failed');
    }
    if (req.dryRun) return structuredClone(current);
    this.#objects.delete(this.#key(namespace, name));
    return this.#write(undefined, structuredClone(current), 'DELETED');
  }

  async close(): Promise<void> {
    this.#watches.closeAll();
  }

  /** Bumps the resourceVersion, stores (unless deleting), tells the watches, returns a copy. */
  #write(key: string | undefined, object: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED'): KubeObject {
    this.#rv++;
    object.metadata.resourceVersion = String(this.#rv);
    if (key !== undefined) this.#objects.set(key, object);
    this.#watches.emit(this.#rv, { type, object });
    return structuredClone(object);
  }

  #stored(namespace: string | undefined, name: string): KubeObject {
    const stored = this.#objects.get(this.#key(namespace, name));
    if (!stored) throw new StoreError('NotFound', \`\${name} not found\`);
    return stored;
  }

  #key(namespace: string | undefined, name: string): string {
    return \`\${this.#namespaced ? (namespace ?? '') : ''}/\${name}\`;
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export default definePlugin<Options>({
  contractVersion: CONTRACT_VERSION,
  name: '__NAME__',
  // Checked, with defaults applied, when kindred loads a config: create gets valid Options.
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { watchWindow: { type: 'integer', minimum: 1, default: 1000 } },
  },
  async create(kind, options, ctx) {
    ctx.log.info({ watchWindow: options.watchWindow }, 'store created');
    return new MapStore(kind, options);
  },
});
`;
