/**
 * The headers that authenticate kindred to the service: a bearer token, basic auth, or any
 * header, each secret value read from a file or a Kubernetes Secret and re-read when it
 * changes (a file: when its mtime or size moves, checked on use; a Secret: at most every
 * SECRET_TTL_MS, and at once after the service refused a request with 401). Values are
 * kept here only; `secrets()` lists them so messages can be blanked of them.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { CoreV1Api } from '@kubernetes/client-node';
import { StoreError } from '../../core/types/errors.ts';
import type { CredentialRef, HttpOptions, SecretKeyRef } from './options.ts';

const SECRET_TTL_MS = 10_000;

interface ValueSource {
  read(): Promise<string>;
  forget(): void;
}

class FileValue implements ValueSource {
  readonly #path: string;
  #stamp = '';
  #value = '';
  constructor(path: string) {
    this.#path = path;
  }
  async read(): Promise<string> {
    try {
      const info = await stat(this.#path);
      const stamp = `${info.mtimeMs}:${info.size}`;
      if (stamp !== this.#stamp) {
        this.#value = (await readFile(this.#path, 'utf8')).trim();
        this.#stamp = stamp;
      }
      return this.#value;
    } catch (error) {
      throw unreadable(`the credential file ${this.#path}`, error);
    }
  }
  forget(): void {
    this.#stamp = '';
  }
}

class SecretValue implements ValueSource {
  readonly #ref: SecretKeyRef;
  readonly #kubeconfigPath: string | undefined;
  #api: CoreV1Api | undefined;
  #value = '';
  #readAt = -Infinity;
  constructor(ref: SecretKeyRef, kubeconfigPath: string | undefined) {
    this.#ref = ref;
    this.#kubeconfigPath = kubeconfigPath;
  }
  async read(): Promise<string> {
    if (Date.now() - this.#readAt < SECRET_TTL_MS) return this.#value;
    const { namespace, name, key } = this.#ref;
    try {
      this.#api ??= await apiFor(this.#kubeconfigPath);
      const secret = await this.#api.readNamespacedSecret({ namespace, name });
      const data = secret.data?.[key];
      if (data === undefined) throw new Error(`it has no key ${key}`);
      this.#value = Buffer.from(data, 'base64').toString('utf8').trim();
      this.#readAt = Date.now();
      return this.#value;
    } catch (error) {
      // The client's errors quote the answer, never the value; still, say only what failed.
      throw unreadable(`the Secret ${namespace}/${name}`, error instanceof Error && error.message.startsWith('it has') ? error : undefined);
    }
  }
  forget(): void {
    this.#readAt = -Infinity;
  }
}

/** Loads the Kubernetes client on first use: only credentials kept in a Secret need it. */
async function apiFor(kubeconfigPath: string | undefined): Promise<CoreV1Api> {
  const { CoreV1Api, KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  if (kubeconfigPath) config.loadFromFile(kubeconfigPath);
  else config.loadFromCluster();
  return config.makeApiClient(CoreV1Api);
}

function unreadable(what: string, error: unknown): StoreError {
  const why = error instanceof Error && 'code' in error ? ` (${String(error.code)})` : error instanceof Error && error.message.startsWith('it has') ? `: ${error.message}` : '';
  return new StoreError('ServiceUnavailable', `cannot read ${what}${why}`, { retryAfterSeconds: 5 });
}

export class Credentials {
  readonly #sources: { header: string; scheme: (value: string) => string; source: ValueSource }[] = [];
  readonly #plain: Record<string, string>;
  readonly #known = new Set<string>();

  constructor(auth: HttpOptions['auth'], configDir: string, kubeconfigPath: string | undefined) {
    const sourceOf = (ref: CredentialRef): ValueSource => {
      if (ref.file !== undefined) return new FileValue(isAbsolute(ref.file) ? ref.file : resolve(configDir, ref.file));
      if (ref.secret) return new SecretValue(ref.secret, kubeconfigPath);
      throw new Error('a credential needs a file or a secret');
    };
    this.#plain = { ...auth?.headers };
    if (auth?.bearerToken) this.#sources.push({ header: 'Authorization', scheme: (v) => `Bearer ${v}`, source: sourceOf(auth.bearerToken) });
    if (auth?.basic) {
      const user = auth.basic.username;
      this.#sources.push({ header: 'Authorization', scheme: (v) => `Basic ${Buffer.from(`${user}:${v}`).toString('base64')}`, source: sourceOf(auth.basic.password) });
    }
    for (const [header, ref] of Object.entries(auth?.secretHeaders ?? {})) this.#sources.push({ header, scheme: (v) => v, source: sourceOf(ref) });
  }

  /** The headers for the next request. */
  async headers(): Promise<Record<string, string>> {
    const headers = { ...this.#plain };
    for (const { header, scheme, source } of this.#sources) {
      const value = await source.read();
      const sent = scheme(value);
      this.#known.add(value);
      this.#known.add(sent);
      headers[header] = sent;
    }
    return headers;
  }

  /** Every secret value sent so far, to blank out of messages. */
  secrets(): readonly string[] {
    return [...this.#known];
  }

  /** The service refused them: read every value again before the next request. */
  refresh(): void {
    for (const { source } of this.#sources) source.forget();
  }
}
