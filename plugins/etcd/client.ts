/**
 * One etcd v3 client per etcd cluster, shared by every kind stored there (one gRPC channel
 * per server), counted so the last store to close it closes the connection.
 *
 * The client is the `etcd3` npm package: the maintained Node etcd v3 client (Microsoft), on
 * @grpc/grpc-js (no native code, so Node 20 and 24 alike), with the raw KV and Watch RPCs
 * exposed: the stores build their own transactions and their own watch loop on them.
 *
 * Every unary call gets a deadline, so a request to a kind on an etcd that is down fails
 * within seconds (503) instead of hanging; the watch stream has none.
 */
import { readFileSync } from 'node:fs';
import { Etcd3, isRecoverableError } from 'etcd3';
import { StoreError, isStoreError } from '../../core/types/errors.ts';
import type { EtcdSettings } from '../../core/types/storage.ts';

/** How long one KV call may take before the kind answers 503. */
export const CALL_TIMEOUT_MS = 5_000;
/** What a 503 tells clients to wait before retrying. */
export const RETRY_AFTER_SECONDS = 1;

interface Shared {
  client: Etcd3;
  users: number;
}

const clients = new Map<string, Shared>();

/** A client for `settings`; give it back with `releaseClient` when the store closes. */
export function acquireClient(settings: EtcdSettings): Etcd3 {
  const key = JSON.stringify([settings.servers, settings.caFile, settings.certFile, settings.keyFile]);
  let shared = clients.get(key);
  if (!shared) {
    shared = { client: new Etcd3(clientOptions(settings)), users: 0 };
    clients.set(key, shared);
  }
  shared.users++;
  return shared.client;
}

export function releaseClient(client: Etcd3): void {
  for (const [key, shared] of clients) {
    if (shared.client !== client) continue;
    shared.users--;
    if (shared.users === 0) {
      clients.delete(key);
      client.close();
    }
    return;
  }
}

function clientOptions(settings: EtcdSettings): ConstructorParameters<typeof Etcd3>[0] {
  const tls = settings.caFile || settings.certFile;
  return {
    // etcd3 wants bare host:port and takes TLS from `credentials`.
    hosts: settings.servers.map((server) => server.replace(/^https?:\/\//, '').replace(/\/$/, '')),
    ...(tls
      ? {
          credentials: {
            rootCertificate: settings.caFile ? readFileSync(settings.caFile) : Buffer.alloc(0),
            ...(settings.certFile ? { certChain: readFileSync(settings.certFile) } : {}),
            ...(settings.keyFile ? { privateKey: readFileSync(settings.keyFile) } : {}),
          },
        }
      : {}),
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + CALL_TIMEOUT_MS }),
    // grpc-js refuses answers over 4 MiB by default: a LIST of 10,000 objects is larger. kube-apiserver's
    // etcd client lifts the limit the same way (MaxCallRecvMsgSize: math.MaxInt32).
    grpcOptions: { 'grpc.max_receive_message_length': 2 ** 31 - 1 },
  };
}

/**
 * A StoreError for whatever an etcd call threw: a failure to reach etcd (unavailable,
 * deadline, open circuit, closed client) is 503 with Retry-After, for this kind only;
 * anything else is passed on, and core logs it as a bug.
 */
export function unavailable(error: unknown, resource: string): unknown {
  if (isStoreError(error)) return error;
  if (error instanceof Error && (isRecoverableError(error) || /unavailable|deadline|circuit|closed|connect/i.test(`${error.name} ${error.message}`))) {
    return new StoreError('ServiceUnavailable', `etcd is unavailable for ${resource}: ${error.message}`, {
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      cause: error,
    });
  }
  return error;
}
