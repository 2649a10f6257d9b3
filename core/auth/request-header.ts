/**
 * Front-proxy authentication (k8s.io/apiserver `authentication/request/headerrequest`):
 * kube-apiserver's aggregator authenticates the user, then proxies the request to kindred
 * with the user in `X-Remote-User`, `X-Remote-Group`, `X-Remote-Extra-*` and `X-Remote-Uid`.
 * Those headers are believed only on a connection whose client certificate was issued by
 * the request-header CA and whose CN is an allowed name; anyone else could forge them.
 */
import type { X509Certificate } from 'node:crypto';
import type { AuthenticationInput, Authenticator } from './types.ts';
import { verifiedPeer } from './x509.ts';

/** The settings kube-apiserver publishes in `kube-system/extension-apiserver-authentication`. */
export interface RequestHeaderConfig {
  /** CAs for the proxy's client certificate (`requestheader-client-ca-file`). */
  caCertificates: readonly X509Certificate[];
  /** CNs accepted; empty accepts any certificate the CA issued. */
  allowedNames: readonly string[];
  usernameHeaders: readonly string[];
  uidHeaders: readonly string[];
  groupHeaders: readonly string[];
  extraHeaderPrefixes: readonly string[];
}

/** client-go's `transport.SetAuthProxyHeaders` names, which the aggregator always sends. */
export const DEFAULT_REQUEST_HEADERS = {
  usernameHeaders: ['X-Remote-User'],
  uidHeaders: ['X-Remote-Uid'],
  groupHeaders: ['X-Remote-Group'],
  extraHeaderPrefixes: ['X-Remote-Extra-'],
} as const;

/**
 * `config` is read per request, so a changed ConfigMap applies to the next request.
 * Undefined config (nothing loaded yet) authenticates nobody through headers.
 */
export function requestHeaderAuthenticator(config: () => RequestHeaderConfig | undefined): Authenticator {
  return (input) => {
    const current = config();
    if (!current) return undefined;
    const peer = verifiedPeer(input.socket, current.caCertificates);
    if (!peer) return undefined;
    if (current.allowedNames.length > 0 && !current.allowedNames.includes(peer.commonName ?? '')) return undefined;
    const username = firstValue(input, current.usernameHeaders);
    // A trusted proxy that names no user has not authenticated anyone: fall through.
    if (!username) return undefined;
    const uid = firstValue(input, current.uidHeaders);
    const groups = current.groupHeaders.flatMap((h) => input.headerValues(h));
    const extra = extraValues(input, current.extraHeaderPrefixes);
    return {
      username,
      groups: [...groups, 'system:authenticated'],
      ...(uid ? { uid } : {}),
      ...(Object.keys(extra).length > 0 ? { extra } : {}),
    };
  };
}

function firstValue(input: AuthenticationInput, headers: readonly string[]): string | undefined {
  for (const header of headers) {
    const value = input.headerValues(header).find((v) => v.length > 0);
    if (value) return value;
  }
  return undefined;
}

/**
 * `X-Remote-Extra-<key>: value` → extra[key]. Keys are lower-cased and %-unescaped, since
 * the proxy %-escapes characters that header names cannot hold (KEP-1123 / headerrequest).
 */
function extraValues(input: AuthenticationInput, prefixes: readonly string[]): Record<string, string[]> {
  const extra: Record<string, string[]> = {};
  // Node hands header names in lower case; this runs on every proxied request.
  const lowered = prefixes.map((p) => p.toLowerCase());
  for (const name of Object.keys(input.headers)) {
    for (const prefix of lowered) {
      if (!name.startsWith(prefix)) continue;
      let key = name.slice(prefix.length).toLowerCase();
      try {
        key = decodeURIComponent(key);
      } catch {
        // Not valid %-escaping: keep the key as sent, as headerrequest does.
      }
      (extra[key] ??= []).push(...input.headerValues(name));
    }
  }
  return extra;
}
