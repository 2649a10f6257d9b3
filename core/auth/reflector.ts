/**
 * A list-then-watch mirror of one Kubernetes collection (client-go's reflector, reduced):
 * lists, then watches from the list's resourceVersion, and lists again whenever the watch
 * ends, fails or reports an error (410 Gone included). Consumers read `objects()` and hear
 * about changes through `onChange`. Errors never escape: the reflector retries with backoff
 * and keeps serving the last good state.
 */
import type { KubeApi } from './kube-api.ts';

export type KubeItem = { metadata?: { name?: string; namespace?: string; resourceVersion?: string } } & Record<string, unknown>;

export interface ReflectorOptions {
  api: Pick<KubeApi, 'request' | 'watch'>;
  /** The collection URL, e.g. `/api/v1/namespaces`. */
  path: string;
  /** Extra query, e.g. `fieldSelector=metadata.name%3Dx`. */
  query?: string;
  /** Called after every change to the mirrored set (and after each full list). */
  onChange?: (objects: ReadonlyMap<string, KubeItem>) => void;
  onError?: (error: unknown) => void;
  maxBackoffMs?: number;
}

export class Reflector {
  readonly #options: ReflectorOptions;
  readonly #objects = new Map<string, KubeItem>();
  readonly #abort = new AbortController();
  #synced = false;
  readonly #firstSync: Promise<void>;
  #resolveFirstSync: () => void = () => {};
  #loop: Promise<void> | undefined;

  constructor(options: ReflectorOptions) {
    this.#options = options;
    this.#firstSync = new Promise((resolve) => (this.#resolveFirstSync = resolve));
  }

  /** Starts mirroring; resolves once the first list has arrived (or `timeoutMs` passed). */
  async start(timeoutMs = 30_000): Promise<boolean> {
    this.#loop ??= this.#run();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.#firstSync, timedOut]);
    clearTimeout(timer);
    return this.#synced;
  }

  get synced(): boolean {
    return this.#synced;
  }

  objects(): ReadonlyMap<string, KubeItem> {
    return this.#objects;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let backoff = 500;
    const max = this.#options.maxBackoffMs ?? 30_000;
    while (!this.#abort.signal.aborted) {
      try {
        const rv = await this.#list();
        backoff = 500;
        await this.#watch(rv);
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        this.#options.onError?.(error);
        await sleep(backoff, this.#abort.signal);
        backoff = Math.min(backoff * 2, max);
      }
    }
  }

  async #list(): Promise<string> {
    const query = this.#options.query ? `?${this.#options.query}` : '';
    const answer = await this.#options.api.request('GET', `${this.#options.path}${query}`);
    if (answer.status !== 200) throw new Error(`list ${this.#options.path}: HTTP ${answer.status}`);
    const list = answer.body as { metadata?: { resourceVersion?: string }; items?: KubeItem[] };
    this.#objects.clear();
    for (const item of list.items ?? []) this.#objects.set(keyOf(item), item);
    this.#synced = true;
    this.#resolveFirstSync();
    this.#options.onChange?.(this.#objects);
    return list.metadata?.resourceVersion ?? '';
  }

  async #watch(resourceVersion: string): Promise<void> {
    const params = new URLSearchParams(this.#options.query ?? '');
    params.set('watch', 'true');
    params.set('allowWatchBookmarks', 'true');
    if (resourceVersion) params.set('resourceVersion', resourceVersion);
    for await (const event of this.#options.api.watch(`${this.#options.path}?${params}`, this.#abort.signal)) {
      if (event.type === 'ERROR') throw new Error(`watch ${this.#options.path}: ${String(event.object.message ?? 'error event')}`);
      if (event.type === 'BOOKMARK') continue;
      const item = event.object as KubeItem;
      if (event.type === 'DELETED') this.#objects.delete(keyOf(item));
      else this.#objects.set(keyOf(item), item);
      this.#options.onChange?.(this.#objects);
    }
  }
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function keyOf(item: KubeItem): string {
  const { namespace, name } = item.metadata ?? {};
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
