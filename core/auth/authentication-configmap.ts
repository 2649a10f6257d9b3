/**
 * Follows `kube-system/extension-apiserver-authentication`, where kube-apiserver publishes how
 * to recognise its aggregator (front-proxy CA, allowed names, header names) and its client CA
 * (k8s.io/apiserver `DelegatingAuthenticationOptions` with no files given). Every change of
 * the ConfigMap applies to the next request; a CA that fails to parse keeps the previous one.
 */
import type { X509Certificate } from 'node:crypto';
import { DEFAULT_REQUEST_HEADERS, type RequestHeaderConfig } from './request-header.ts';
import { ListWatchCache } from '../../lib/kube/cache.ts';
import type { KubeTransport } from '../../lib/kube/client.ts';
import type { PluginLogger } from '../types/storage.ts';
import { parseCertificateBundle } from './x509.ts';

export const AUTHENTICATION_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' } as const;

/** What the ConfigMap says, parsed. Either part is undefined when its keys are absent. */
export interface PublishedAuthentication {
  requestHeader?: RequestHeaderConfig;
  clientCaCertificates?: X509Certificate[];
  /** The PEMs as published, to offer as acceptable client CAs in the TLS handshake. */
  clientCaPem?: string;
  requestHeaderCaPem?: string;
}

/**
 * Parses the ConfigMap's `data`. List values are JSON arrays of strings (`'["X-Remote-User"]'`);
 * throws on a malformed value so the caller keeps what it had.
 */
export function parseAuthenticationConfigMap(data: Record<string, string>): PublishedAuthentication {
  const published: PublishedAuthentication = {};
  const clientCa = data['client-ca-file'];
  if (clientCa?.trim()) {
    published.clientCaCertificates = parseCertificateBundle(clientCa);
    published.clientCaPem = clientCa;
  }
  const proxyCa = data['requestheader-client-ca-file'];
  if (proxyCa?.trim()) {
    published.requestHeader = {
      caCertificates: parseCertificateBundle(proxyCa),
      allowedNames: stringList(data, 'requestheader-allowed-names') ?? [],
      usernameHeaders: stringList(data, 'requestheader-username-headers') ?? DEFAULT_REQUEST_HEADERS.usernameHeaders,
      uidHeaders: stringList(data, 'requestheader-uid-headers') ?? DEFAULT_REQUEST_HEADERS.uidHeaders,
      groupHeaders: stringList(data, 'requestheader-group-headers') ?? DEFAULT_REQUEST_HEADERS.groupHeaders,
      extraHeaderPrefixes: stringList(data, 'requestheader-extra-headers-prefix') ?? DEFAULT_REQUEST_HEADERS.extraHeaderPrefixes,
    };
    published.requestHeaderCaPem = proxyCa;
  }
  return published;
}

function stringList(data: Record<string, string>, key: string): string[] | undefined {
  const raw = data[key];
  if (raw === undefined || raw.trim() === '') return undefined;
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) throw new Error(`${key}: not a JSON array of strings`);
  return parsed as string[];
}

export interface AuthenticationFollowerOptions {
  api: KubeTransport;
  /** Told when the ConfigMap cannot be read or parsed. */
  log: PluginLogger;
  onChange?: (published: PublishedAuthentication) => void;
}

/** Mirrors the ConfigMap; `current()` is what it said last (undefined before the first read). */
export class AuthenticationConfigMapFollower {
  #current: PublishedAuthentication | undefined;
  /** The resourceVersion `#current` was parsed from: a bookmark or reconnect changes nothing. */
  #parsedVersion: string | undefined;
  readonly #options: AuthenticationFollowerOptions;
  #cache: ListWatchCache | undefined;

  constructor(options: AuthenticationFollowerOptions) {
    this.#options = options;
  }

  /** Starts following; resolves once the first list arrived (false after `timeoutMs`). */
  start(timeoutMs = 30_000): Promise<boolean> {
    if (!this.#cache) {
      const { namespace, name } = AUTHENTICATION_CONFIGMAP;
      const cache = new ListWatchCache(this.#options.api, {
        path: `/api/v1/namespaces/${namespace}/configmaps`,
        fieldSelector: `metadata.name=${name}`,
        windowSize: 1,
        log: this.#options.log,
      });
      cache.observe(() => this.#refresh(cache));
      this.#cache = cache;
    }
    const cache = this.#cache;
    return cache.waitFor(() => cache.available, timeoutMs);
  }

  current(): PublishedAuthentication | undefined {
    return this.#current;
  }

  async stop(): Promise<void> {
    this.#cache?.stop();
  }

  #refresh(cache: ListWatchCache): void {
    if (!cache.available) return;
    const { namespace, name } = AUTHENTICATION_CONFIGMAP;
    const item = cache.get(namespace, name);
    const version = item?.metadata.resourceVersion ?? '';
    if (this.#current !== undefined && version === this.#parsedVersion) return;
    try {
      this.#current = parseAuthenticationConfigMap((item?.data ?? {}) as Record<string, string>);
    } catch (error) {
      this.#options.log.warn({ err: error }, `reading ${namespace}/${name}`);
      return;
    } finally {
      this.#parsedVersion = version;
    }
    this.#options.onChange?.(this.#current);
  }
}
