/**
 * Starting and stopping a kindred server: config source → reloader (config → stores →
 * snapshot, again on every change) → HTTPS server. The CLI and the tests both start kindred
 * through here.
 */
import type { Logger } from 'pino';
import type { ConfigError } from '../config/index.ts';
import type { EtcdSettings } from '../core/types/storage.ts';
import type { ConfigMapRef } from '../config/configmap-source.ts';
import { resolveBuiltinPlugin } from '../plugins/index.ts';
import { createMetrics, type KindredMetrics } from '../core/metrics.ts';
import { openConfigSource } from './reload/open-source.ts';
import { Reloader } from './reload/reloader.ts';
import { KindredServer } from '../core/server.ts';
import { createSecurity, type SecurityOptions } from './security.ts';
import { NamespaceLifecycle } from '../core/admission/namespace-lifecycle.ts';
import { writeKubeconfig } from './cli/kubeconfig.ts';
import { AuditLog } from '../core/audit.ts';
import { useContinueTokenSecret } from '../core/paging.ts';
import { clusterOpenAPIOptions } from './cluster-openapi.ts';
import { APIServiceManager, APIServiceSync, serviceDnsNames, type ServiceRef } from './apiservices.ts';
import type { RegistrySnapshot } from '../core/snapshot.ts';
import { guardAgainstPluginFaults } from './plugin-faults.ts';
import type { MaxInFlightOptions } from '../core/max-in-flight.ts';
import type { ConnectionTimeouts } from '../core/connections.ts';
import type { WatchBacklogLimits } from '../core/handlers/watch-backlog.ts';

export interface StartOptions {
  /** A config file or a directory of config files; exactly one of this and configConfigMap. */
  configPath?: string;
  /** `--config-configmap`: read and watch the config in this ConfigMap. */
  configConfigMap?: ConfigMapRef;
  /** `--kubeconfig`: the cluster kindred talks to (ConfigMap source, plugins); else the in-cluster config. */
  kubeconfig?: string;
  /** `--data-dir`: where durable process-local plugins (embedded) keep their data. */
  dataDir?: string;
  /** `--replicas`: how many replicas serve this config; >1 logs a warning about process-local kinds at each load. */
  replicas?: number;
  /** `--etcd-servers` and friends: the etcd cluster the `etcd` plugin stores objects in. */
  etcd?: EtcdSettings;
  /** false: load the config once and never watch it (default: watch and hot-reload). */
  watchConfig?: boolean;
  /** Quiet time before a burst of config changes triggers one reload (default 100 ms). */
  configDebounceMs?: number;
  port: number;
  host: string;
  log: Logger;
  /** Serving certificate files; without them kindred makes its own CA (standalone mode). */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Where to write an admin kubeconfig (standalone mode). */
  kubeconfigPath?: string;
  /**
   * Aggregated mode (with tlsCertFile): delegated authentication and authorization against
   * the `kubeconfig` cluster, CA files, anonymous access, cache TTLs (app/security.ts).
   */
  delegation?: Omit<SecurityOptions, 'host' | 'tlsCertFile' | 'tlsPrivateKeyFile' | 'log' | 'kubeconfig'>;
  /** `--authorization-always-allow-paths`, besides /healthz, /livez and /readyz. */
  alwaysAllowPaths?: string[];
  /** `--request-timeout`: non-watch requests end with 504 after this long (default 60 s). */
  requestTimeoutMs?: number;
  /**
   * `--manage-apiservices`: keep one APIService per served group-version, pointing at this
   * Service (app/apiservices.ts). Without tlsCertFile kindred makes its own serving certificate.
   */
  manageApiServices?: { service: ServiceRef };
  /** `--max-requests-inflight` / `--max-mutating-requests-inflight` (default 400 / 200). */
  maxInFlight?: MaxInFlightOptions;
  /** `--http2-max-streams-per-connection` (0 or unset: 100). */
  http2MaxStreamsPerConnection?: number;
  /** `--shutdown-delay-duration` (default 0): how long `shutdown()` keeps serving with /readyz failing. */
  shutdownDelayMs?: number;
  /** One log line per request (`-v=3` and up, as kube's httplog). */
  logRequests?: boolean;
  /** `--audit-log-path` (`-`: stdout) and `--audit-policy-file` (default: all at Metadata). */
  audit?: { path: string; policyFile?: string };
  /** Connection timeouts (default kube's; tests shorten them). */
  connectionTimeouts?: Partial<ConnectionTimeouts>;
  /**
   * Install process handlers so that an uncaught exception or unhandled rejection from a
   * storage plugin makes its kinds unavailable instead of ending the process (plugin-faults.ts).
   * The CLI sets it; in-process tests leave the process's handlers alone.
   */
  guardPluginFaults?: boolean;
  /** Watch backlog bounds (default DEFAULT_WATCH_BACKLOG; tests shrink them). */
  watchBacklog?: WatchBacklogLimits;
}

export interface RunningKindred {
  server: KindredServer;
  /** `https://<host>:<port>` */
  url: string;
  port: number;
  /** PEM of the CA that signed the serving certificate, in standalone mode. */
  caPem?: string;
  /** Standalone mode: a client certificate for another user (the kubeconfig's admin is in system:masters). */
  issueClientCertificate?: (user: string, groups: string[]) => Promise<{ certPem: string; keyPem: string }>;
  /** Keeps the served kinds in step with the config; `reload()` forces a reload now. */
  reloader: Reloader;
  metrics: KindredMetrics;
  /** Stops at once, cutting every connection. */
  stop(): Promise<void>;
  /** Stops gracefully (SIGTERM): /readyz fails, in-flight requests finish, watches end cleanly; then as stop(). */
  shutdown(): Promise<void>;
}

export class ConfigInvalidError extends Error {
  constructor(
    readonly path: string,
    readonly errors: ConfigError[],
  ) {
    super(`${path}: invalid config:\n${errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
  }
}

export async function startKindred(options: StartOptions): Promise<RunningKindred> {
  const metrics = createMetrics();
  const source = await openConfigSource({
    ...(options.configPath ? { configPath: options.configPath } : {}),
    ...(options.configConfigMap ? { configConfigMap: options.configConfigMap } : {}),
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.configDebounceMs === undefined ? {} : { debounceMs: options.configDebounceMs }),
  });
  // Security first: in aggregated mode the first snapshot already needs the cluster (its OpenAPI models).
  const security = await createSecurity({
    host: options.host,
    log: options.log,
    ...(options.tlsCertFile ? { tlsCertFile: options.tlsCertFile, tlsPrivateKeyFile: options.tlsPrivateKeyFile! } : {}),
    ...(options.manageApiServices && !options.tlsCertFile ? { selfSignedServing: { dnsNames: serviceDnsNames(options.manageApiServices.service) } } : {}),
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...options.delegation,
  });
  const reloader = new Reloader({
    source,
    builtin: resolveBuiltinPlugin,
    log: options.log,
    metrics,
    ...(options.kubeconfig ? { kubeconfigPath: options.kubeconfig } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.replicas ? { replicas: options.replicas } : {}),
    ...(security.cluster ? { openapi: await clusterOpenAPIOptions(security.cluster, options.log) } : {}),
    ...(options.etcd ? { etcd: options.etcd } : {}),
  });
  const unguard = options.guardPluginFaults
    ? guardAgainstPluginFaults({
        log: options.log,
        attribute: (stack) => reloader.attribute(stack),
        onFault: (plugin, error) => reloader.pluginFailed(plugin, error),
      })
    : () => {};
  const first = await reloader.reload();
  if (first.result === 'failure') {
    unguard();
    await reloader.close();
    await security.stop();
    throw new ConfigInvalidError(source.description, first.errors);
  }
  const config = reloader.generation!;
  const snapshot = config.snapshot;

  // In a cluster, creates in missing or terminating namespaces are refused, as kube-apiserver's
  // NamespaceLifecycle admission does for its own resources.
  const namespaces = security.cluster
    ? new NamespaceLifecycle(security.cluster, options.log.child({ component: 'namespaces' }))
    : undefined;
  if (namespaces && !(await namespaces.start(10_000))) options.log.warn({}, 'namespaces not listed yet; creates look them up one by one');
  // Read before serving: a bad policy stops the start, as kube-apiserver's does.
  const audit = options.audit ? AuditLog.open(options.audit.path, options.audit.policyFile) : undefined;
  const server = new KindredServer(snapshot, {
    ...(audit ? { audit } : {}),
    ...(options.logRequests ? { logRequests: true } : {}),
    tls: security.tls,
    authenticate: security.authenticate,
    authorize: security.authorize,
    log: options.log,
    metrics,
    ...(namespaces ? { namespaceAdmission: namespaces } : {}),
    ...(options.alwaysAllowPaths ? { alwaysAllowPaths: options.alwaysAllowPaths } : {}),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}),
    ...(options.connectionTimeouts ? { connectionTimeouts: options.connectionTimeouts } : {}),
    ...(options.watchBacklog ? { watchBacklog: options.watchBacklog } : {}),
    ...(options.http2MaxStreamsPerConnection === undefined ? {} : { http2MaxStreamsPerConnection: options.http2MaxStreamsPerConnection }),
  });
  metrics.observeInFlight(() => server.inFlightByKind);
  // Replicas that share a serving key (one Deployment, one Secret) accept each other's
  // continue tokens; a key kindred made itself is its own anyway.
  if (options.tlsCertFile) useContinueTokenSecret(security.tls.keyPem);
  security.onTlsChange((tls) => {
    server.setTls(tls);
    if (options.tlsCertFile) useContinueTokenSecret(tls.keyPem);
  });
  const apiServices = options.manageApiServices && security.cluster
    ? new APIServiceSync(
        new APIServiceManager({
          api: security.cluster,
          service: options.manageApiServices.service,
          ...(security.servingCaPem ? { caPem: security.servingCaPem } : {}),
          log: options.log.child({ component: 'apiservices' }),
        }),
        options.log,
      )
    : undefined;
  reloader.attach({
    inFlight: server.inFlight,
    swap: (next) => {
      server.swap(next);
      apiServices?.sync(groupVersionsOf(next), reloader.generation?.hash ?? '');
    },
  });
  server.setReadiness(() => {
    const config = reloader.readiness();
    return { ready: config.ready, checks: ['[+]ping ok', ...config.checks] };
  });
  if (options.watchConfig !== false) await reloader.watch();
  const address = await server.listen(options.port, options.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `https://${host}:${address.port}`;
  if (security.standalone && options.kubeconfigPath) {
    await writeKubeconfig(options.kubeconfigPath, {
      server: url,
      caPem: security.standalone.caPem,
      clientCertPem: security.standalone.admin.certPem,
      clientKeyPem: security.standalone.admin.keyPem,
      user: 'kindred-admin',
    });
  }
  apiServices?.sync(groupVersionsOf(snapshot), config.hash);
  options.log.info({ url, config: source.description, kinds: config.kinds.length, hash: config.hash }, 'serving');
  const running: RunningKindred = {
    server,
    url,
    port: address.port,
    reloader,
    metrics,
    async stop() {
      apiServices?.stop();
      await server.close();
      await namespaces?.stop();
      await security.stop();
      await reloader.close();
      await audit?.close();
      unguard();
    },
    async shutdown() {
      // As kube-apiserver: in-flight requests get up to the request timeout to finish.
      await server.shutdown({ delayMs: options.shutdownDelayMs ?? 0, graceMs: options.requestTimeoutMs ?? 60_000 });
      await running.stop();
    },
  };
  if (security.standalone) {
    running.caPem = security.standalone.caPem;
    running.issueClientCertificate = security.standalone.issueClientCertificate;
  }
  return running;
}

/** The group-versions a snapshot serves, as `<group>/<version>`. */
function groupVersionsOf(snapshot: RegistrySnapshot): string[] {
  return [...new Set(snapshot.resources.map((r) => `${r.group}/${r.version.name}`))].sort();
}
