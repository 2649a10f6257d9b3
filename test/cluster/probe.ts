/**
 * Loopback HTTP(S) probes used while a control plane starts: one GET, and a
 * poll loop that gives up early when the process it waits for has died.
 */
import http from 'node:http';
import https from 'node:https';
import type { ManagedProcess } from './process.ts';
import { eventually } from '../support/eventually.ts';

export interface TlsCredentials {
  ca?: string;
  cert?: string;
  key?: string;
  /** Only for our own loopback processes whose serving cert we did not issue (KCM). */
  insecure?: boolean;
}

export interface Response {
  status: number;
  body: string;
}

/** GETs `url` (http or https, loopback only); rejects on connection errors, never on status. */
export function get(url: string, tls: TlsCredentials = {}, timeoutMs = 5_000): Promise<Response> {
  const parsed = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) {
    return Promise.reject(new Error(`probe: refusing non-loopback URL ${url}`));
  }
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    };
    const req =
      parsed.protocol === 'https:'
        ? https.get(url, { ...tlsOptions(tls), agent: false, timeout: timeoutMs }, onResponse)
        : http.get(url, { agent: false, timeout: timeoutMs }, onResponse);
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

function tlsOptions(tls: TlsCredentials): https.RequestOptions {
  const options: https.RequestOptions = { rejectUnauthorized: !tls.insecure };
  if (tls.ca) options.ca = tls.ca;
  if (tls.cert) options.cert = tls.cert;
  if (tls.key) options.key = tls.key;
  return options;
}

/**
 * Calls `check` every `intervalMs` until it returns true. Throws when `timeoutMs`
 * passes or `process` exits first; the error names what was awaited, the last
 * failure and the process's output tail.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: { process: ManagedProcess; timeoutMs: number; intervalMs?: number },
): Promise<void> {
  const { process } = options;
  await eventually(what, check, {
    timeoutMs: options.timeoutMs,
    intervalMs: options.intervalMs ?? 200,
    giveUpIf: async () => (process.isRunning() ? undefined : `${process.name} ${await process.exited}`),
    context: () => `--- last lines of ${process.name} output ---\n${process.tail()}`,
  });
}
