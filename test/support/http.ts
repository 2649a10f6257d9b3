/** A small HTTPS client for tests that talk to kindred directly, as a given client certificate (or none). */
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = any>(): T & any;
}

export interface Credentials {
  ca: string;
  cert?: string;
  key?: string;
}

/** The CA and client certificate of a kubeconfig that kindred wrote. */
export function credentialsFromKubeconfig(path: string): Credentials {
  const config = parse(readFileSync(path, 'utf8'));
  const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
  return {
    ca: b64(config.clusters[0].cluster['certificate-authority-data']),
    cert: b64(config.users[0].user['client-certificate-data']),
    key: b64(config.users[0].user['client-key-data']),
  };
}

export function httpRequest(
  base: string,
  method: string,
  path: string,
  options: { credentials: Credentials; headers?: Record<string, string>; body?: string | Buffer },
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const { ca, cert, key } = options.credentials;
    // Node sends a DELETE body neither chunked nor with a length unless told: give the length, as Go clients do.
    const headers = { ...(options.headers ?? {}) };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = request(new URL(path, base), { method, ca, cert, key, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens a watch and collects its event lines until `until` says stop (or the server ends the stream). */
export function httpWatch(
  base: string,
  path: string,
  credentials: Credentials,
): { events: Array<{ type: string; object: any }>; next(count: number, ms?: number): Promise<Array<{ type: string; object: any }>>; close(): void; status: Promise<number> } {
  const events: Array<{ type: string; object: any }> = [];
  const waiters = new Set<() => void>();
  let ended = false;
  let statusResolve!: (s: number) => void;
  const status = new Promise<number>((r) => (statusResolve = r));
  const req = request(new URL(path, base), { method: 'GET', ca: credentials.ca, cert: credentials.cert, key: credentials.key }, (res) => {
    statusResolve(res.statusCode ?? 0);
    let buffer = '';
    res.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) events.push(JSON.parse(line));
      }
      waiters.forEach((w) => w());
    });
    res.on('end', () => ((ended = true), waiters.forEach((w) => w())));
    res.on('error', () => ((ended = true), waiters.forEach((w) => w())));
  });
  req.on('error', () => ((ended = true), waiters.forEach((w) => w())));
  req.end();
  return {
    events,
    status,
    close: () => req.destroy(),
    next: (count, ms = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (events.length >= count || ended) {
            clearTimeout(timer);
            waiters.delete(check);
            if (events.length >= count) resolve(events.slice(0, count));
            else reject(new Error(`stream ended after ${events.length} events: ${JSON.stringify(events)}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out with ${events.length} events: ${JSON.stringify(events)}`));
        }, ms);
        waiters.add(check);
        check();
      }),
  };
}
