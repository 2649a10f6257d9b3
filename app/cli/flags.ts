/** Command-line flags, named as k8s.io/apiserver names them where they mean the same. */
import { parseArgs } from 'node:util';
import type { LogFormat } from '../../core/logger.ts';
import type { EtcdSettings } from '../../core/types/storage.ts';

export interface ServeFlags {
  config?: string;
  /** `--config-configmap NAMESPACE/NAME`, instead of --config. */
  configConfigMap?: string;
  /** `--kubeconfig`: the cluster kindred reads its ConfigMap config from, and plugins store objects in. */
  kubeconfig?: string;
  securePort: number;
  bindAddress: string;
  writeKubeconfig?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Aggregated mode: delegated authentication and authorization (k8s.io/apiserver's names). */
  authenticationKubeconfig?: string;
  authorizationKubeconfig?: string;
  clientCaFile?: string;
  requestheaderClientCaFile?: string;
  requestheaderAllowedNames?: string[];
  requestheaderUsernameHeaders?: string[];
  requestheaderGroupHeaders?: string[];
  requestheaderExtraHeadersPrefix?: string[];
  authorizationAlwaysAllowPaths?: string[];
  anonymousAuth?: boolean;
  /** `--manage-apiservices`: register the config's group-versions with the aggregator (app/apiservices.ts). */
  manageApiServices?: boolean;
  /** `--apiservice-service NAMESPACE/NAME[:PORT]`: the Service the APIServices point at. */
  apiServiceService?: string;
  /** `--max-requests-inflight` (default 400; 0 = unlimited). */
  maxRequestsInflight: number;
  /** `--max-mutating-requests-inflight` (default 200; 0 = unlimited). */
  maxMutatingRequestsInflight: number;
  /** `--shutdown-delay-duration`, in ms (default 0): how long /readyz fails before kindred stops accepting connections. */
  shutdownDelayMs: number;
  /** `--request-timeout`, in ms (default 1m): non-watch requests end with 504, and at shutdown in-flight requests get this long. */
  requestTimeoutMs: number;
  /** `--http2-max-streams-per-connection` (default 0: kube's 100). */
  http2MaxStreamsPerConnection: number;
  /** `--log-format json|text` (default: text on a terminal, json otherwise). */
  logFormat?: LogFormat;
  /** `-v`/`--v`: klog verbosity (default 0; 3 logs every request, 4 debug). */
  verbosity: number;
  /** `--audit-log-path FILE` (`-` for stdout): audit events as JSON lines (core/audit.ts). */
  auditLogPath?: string;
  /** `--audit-policy-file FILE`: an audit.k8s.io/v1 Policy (default: every request at Metadata). */
  auditPolicyFile?: string;
  /** `--data-dir`: where the embedded plugin keeps its database. */
  dataDir: string;
  /** `--replicas`: how many replicas serve this config (the manifests set it); >1 warns about process-local kinds. */
  replicas: number;
  /** `--etcd-servers` (and `--etcd-prefix`, `--etcd-cafile`...): where the `etcd` plugin stores objects. */
  etcd?: EtcdSettings;
}

/** kindred's own default, not kube-apiserver's `/registry`: one etcd can serve both without overlap. */
export const DEFAULT_ETCD_PREFIX = '/kindred';

export class UsageError extends Error {}

/** `--help` or `-h` among a command's arguments: print that command's usage, exit 0. */
export class HelpRequested extends Error {}

export const USAGE = `Usage:
  kindred serve [--config FILE|DIR | --config-configmap NAMESPACE/NAME] [--kubeconfig FILE]
                [--secure-port 8443] [--bind-address 127.0.0.1]
                [--write-kubeconfig FILE] [--tls-cert-file F --tls-private-key-file F]
                [--authentication-kubeconfig F] [--authorization-kubeconfig F]
                [--client-ca-file F] [--requestheader-client-ca-file F]
                [--requestheader-allowed-names A,B] [--requestheader-username-headers H,..]
                [--requestheader-group-headers H,..] [--requestheader-extra-headers-prefix P,..]
                [--authorization-always-allow-paths /p,..] [--anonymous-auth=true|false]
                [--manage-apiservices --apiservice-service NAMESPACE/NAME[:PORT]]
                [--max-requests-inflight 400] [--max-mutating-requests-inflight 200]
                [--request-timeout 1m0s] [--shutdown-delay-duration 0s]
                [--http2-max-streams-per-connection 0]
                [--audit-log-path FILE|- [--audit-policy-file FILE]]
                [--log-format text|json] [-v N]
                [--data-dir .kindred/data] [--replicas 1]
                [--etcd-servers URL,.. [--etcd-prefix /kindred]
                 [--etcd-cafile F] [--etcd-certfile F --etcd-keyfile F]]
  kindred validate [--config FILE] [--kubeconfig FILE] [-o text|table|yaml] [--data-dir DIR] [--replicas N]
                   [--etcd-servers URL,.. ...]
  kindred export [--data-dir .kindred/data] [-o FILE.yaml|FILE.json]   a consistent copy of every stored kind
  kindred import FILE [--data-dir .kindred/data]   restore an export into a data directory not in use
  kindred rbac [--config FILE]    print ClusterRoles granting the config's kinds (aggregated into view/edit/admin)
  kindred new-plugin NAME [DIR]   write a storage plugin package to start from
  kindred version                 print kindred's version (also --version)

kindred watches its config (a file, every *.yaml of a directory, or the *.yaml keys of
a ConfigMap) and serves every valid change at once, without a restart.
With --tls-cert-file kindred runs as an aggregated API server: it reloads the certificate
when the files change and delegates authentication (front-proxy headers, client
certificates, TokenReview) and authorization (SubjectAccessReview) to the cluster of
--kubeconfig, or the in-cluster config; CAs not given as files are read from
kube-system/extension-apiserver-authentication.
With --manage-apiservices kindred registers one APIService per served group-version
(pointing at --apiservice-service) and keeps them in step with its config; without
--tls-cert-file it then makes its own serving certificate and puts its CA in caBundle.
On SIGTERM kindred fails /readyz at once, keeps serving for --shutdown-delay-duration
(0 by default; set it above your load balancer's probe interval in a cluster), then stops
accepting connections, ends watches cleanly, lets in-flight requests finish (up to
--request-timeout) and exits.
Kinds on the embedded plugin (the default backend) keep their objects in --data-dir;
export writes every stored object (a List per kind), import restores such a file into a
data directory no running kindred uses. validate checks embedded kinds against the data of
--data-dir when given (else against an empty one), and warns when --replicas is above 1 and
some kinds are stored in the process or on its disk.
Without --config, kindred looks for kindred.config.yaml, .kindredrc(.yaml|.json) or a
"kindred" key in package.json, from the current folder up.`;

export function parseServeFlags(args: string[]): ServeFlags {
  // k8s.io/apiserver's boolean flags may be bare (`--anonymous-auth`) or valued (`=false`);
  // klog's verbosity is `-v=4`, `-v 4` or `--v=4`.
  const normalized = args.map((arg) => (BOOLEAN_FLAGS.includes(arg) ? `${arg}=true` : /^-v=?\d+$/.test(arg) ? `--v=${arg.replace(/^-v=?/, '')}` : arg === '-v' ? '--v' : arg));
  const { values } = parse(normalized, {
    config: { type: 'string' },
    'authentication-kubeconfig': { type: 'string' },
    'authorization-kubeconfig': { type: 'string' },
    'client-ca-file': { type: 'string' },
    'requestheader-client-ca-file': { type: 'string' },
    'requestheader-allowed-names': { type: 'string' },
    'requestheader-username-headers': { type: 'string' },
    'requestheader-group-headers': { type: 'string' },
    'requestheader-extra-headers-prefix': { type: 'string' },
    'authorization-always-allow-paths': { type: 'string' },
    'anonymous-auth': { type: 'string' },
    'manage-apiservices': { type: 'string' },
    'apiservice-service': { type: 'string' },
    'config-configmap': { type: 'string' },
    kubeconfig: { type: 'string' },
    'secure-port': { type: 'string' },
    'bind-address': { type: 'string' },
    'write-kubeconfig': { type: 'string' },
    'tls-cert-file': { type: 'string' },
    'tls-private-key-file': { type: 'string' },
    'data-dir': { type: 'string' },
    replicas: { type: 'string' },
    'max-requests-inflight': { type: 'string' },
    'max-mutating-requests-inflight': { type: 'string' },
    'shutdown-delay-duration': { type: 'string' },
    'request-timeout': { type: 'string' },
    'http2-max-streams-per-connection': { type: 'string' },
    'audit-log-path': { type: 'string' },
    'audit-policy-file': { type: 'string' },
    'log-format': { type: 'string' },
    v: { type: 'string' },
    ...ETCD_OPTIONS,
  });
  const port = Number(values['secure-port'] ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--secure-port: not a port: ${String(values['secure-port'])}`);
  if (Boolean(values['tls-cert-file']) !== Boolean(values['tls-private-key-file'])) {
    throw new UsageError('--tls-cert-file and --tls-private-key-file go together');
  }
  const flags: ServeFlags = {
    securePort: port,
    bindAddress: (values['bind-address'] as string | undefined) ?? '127.0.0.1',
    maxRequestsInflight: count(values, 'max-requests-inflight', 400),
    maxMutatingRequestsInflight: count(values, 'max-mutating-requests-inflight', 200),
    shutdownDelayMs: duration(values, 'shutdown-delay-duration', 0),
    requestTimeoutMs: duration(values, 'request-timeout', 60_000),
    http2MaxStreamsPerConnection: count(values, 'http2-max-streams-per-connection', 0),
    verbosity: count(values, 'v', 0),
    dataDir: (values['data-dir'] as string | undefined) ?? DEFAULT_DATA_DIR,
    replicas: parseReplicas(values.replicas),
  };
  const logFormat = values['log-format'] as string | undefined;
  if (logFormat !== undefined) {
    if (logFormat !== 'json' && logFormat !== 'text') throw new UsageError(`--log-format: expected text or json, not ${logFormat}`);
    flags.logFormat = logFormat;
  }
  if (values.config) flags.config = values.config as string;
  if (values['config-configmap']) {
    if (values.config) throw new UsageError('--config and --config-configmap exclude each other');
    if (!/^[^/]+\/[^/]+$/.test(values['config-configmap'] as string)) throw new UsageError('--config-configmap: expected NAMESPACE/NAME');
    flags.configConfigMap = values['config-configmap'] as string;
  }
  if (values.kubeconfig) flags.kubeconfig = values.kubeconfig as string;
  if (values['audit-log-path']) flags.auditLogPath = values['audit-log-path'] as string;
  if (values['audit-policy-file']) {
    if (!flags.auditLogPath) throw new UsageError('--audit-policy-file needs --audit-log-path');
    flags.auditPolicyFile = values['audit-policy-file'] as string;
  }
  if (values['write-kubeconfig']) flags.writeKubeconfig = values['write-kubeconfig'] as string;
  if (values['tls-cert-file']) flags.tlsCertFile = values['tls-cert-file'] as string;
  if (values['tls-private-key-file']) flags.tlsPrivateKeyFile = values['tls-private-key-file'] as string;
  if (values['authentication-kubeconfig']) flags.authenticationKubeconfig = values['authentication-kubeconfig'] as string;
  if (values['authorization-kubeconfig']) flags.authorizationKubeconfig = values['authorization-kubeconfig'] as string;
  if (values['client-ca-file']) flags.clientCaFile = values['client-ca-file'] as string;
  if (values['requestheader-client-ca-file']) flags.requestheaderClientCaFile = values['requestheader-client-ca-file'] as string;
  const lists = {
    'requestheader-allowed-names': 'requestheaderAllowedNames',
    'requestheader-username-headers': 'requestheaderUsernameHeaders',
    'requestheader-group-headers': 'requestheaderGroupHeaders',
    'requestheader-extra-headers-prefix': 'requestheaderExtraHeadersPrefix',
    'authorization-always-allow-paths': 'authorizationAlwaysAllowPaths',
  } as const;
  for (const [flag, key] of Object.entries(lists) as [keyof typeof lists, (typeof lists)[keyof typeof lists]][]) {
    const value = values[flag] as string | undefined;
    if (value !== undefined) flags[key] = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  }
  const anonymous = values['anonymous-auth'] as string | undefined;
  if (anonymous !== undefined) {
    if (anonymous !== 'true' && anonymous !== 'false') throw new UsageError(`--anonymous-auth: expected true or false, not ${anonymous}`);
    flags.anonymousAuth = anonymous === 'true';
  }
  const manage = values['manage-apiservices'] as string | undefined;
  if (manage !== undefined) {
    if (manage !== 'true' && manage !== 'false') throw new UsageError(`--manage-apiservices: expected true or false, not ${manage}`);
    flags.manageApiServices = manage === 'true';
  }
  if (values['apiservice-service']) flags.apiServiceService = values['apiservice-service'] as string;
  if (flags.manageApiServices && !flags.apiServiceService) throw new UsageError('--manage-apiservices needs --apiservice-service NAMESPACE/NAME[:PORT]');
  const etcd = etcdSettings(values);
  if (etcd) flags.etcd = etcd;
  return flags;
}

const BOOLEAN_FLAGS = ['--anonymous-auth', '--manage-apiservices'];

const ETCD_OPTIONS = {
  'etcd-servers': { type: 'string' },
  'etcd-prefix': { type: 'string' },
  'etcd-cafile': { type: 'string' },
  'etcd-certfile': { type: 'string' },
  'etcd-keyfile': { type: 'string' },
} as const;

/** The `--etcd-*` flags as one setting, or undefined without `--etcd-servers`. */
function etcdSettings(values: Record<string, string | boolean | undefined>): EtcdSettings | undefined {
  const servers = ((values['etcd-servers'] as string | undefined) ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
  const others = ['etcd-prefix', 'etcd-cafile', 'etcd-certfile', 'etcd-keyfile'].filter((flag) => values[flag] !== undefined);
  if (servers.length === 0) {
    if (others.length > 0) throw new UsageError(`--${others[0]} needs --etcd-servers`);
    return undefined;
  }
  for (const server of servers) {
    if (!/^https?:\/\/[^/]+\/?$/.test(server)) throw new UsageError(`--etcd-servers: expected http(s)://HOST:PORT, not ${server}`);
  }
  const prefix = (values['etcd-prefix'] as string | undefined) ?? DEFAULT_ETCD_PREFIX;
  if (!prefix.startsWith('/')) throw new UsageError(`--etcd-prefix: must start with "/", not ${prefix}`);
  if (Boolean(values['etcd-certfile']) !== Boolean(values['etcd-keyfile'])) throw new UsageError('--etcd-certfile and --etcd-keyfile go together');
  const settings: EtcdSettings = { servers, prefix: prefix.replace(/\/+$/, '') || '/' };
  if (values['etcd-cafile']) settings.caFile = values['etcd-cafile'] as string;
  if (values['etcd-certfile']) settings.certFile = values['etcd-certfile'] as string;
  if (values['etcd-keyfile']) settings.keyFile = values['etcd-keyfile'] as string;
  return settings;
}

type Values = Record<string, string | boolean | undefined>;

/** A non-negative integer flag. */
function count(values: Values, flag: string, fallback: number): number {
  const raw = values[flag] as string | undefined;
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${flag}: expected an integer ≥ 0, not ${raw}`);
  return n;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration flag (`90s`, `1m30s`, `500ms`, `0`), in milliseconds, as time.ParseDuration reads it. */
function duration(values: Values, flag: string, fallback: number): number {
  const raw = values[flag] as string | undefined;
  if (raw === undefined) return fallback;
  if (raw === '0') return 0;
  const parts = /^(?:\d+(?:\.\d*)?(?:ns|us|µs|ms|s|m|h))+$/.test(raw) ? raw.match(/\d+(?:\.\d*)?(?:ns|us|µs|ms|s|m|h)/g)! : undefined;
  if (!parts) throw new UsageError(`--${flag}: not a duration (e.g. 30s, 1m30s): ${raw}`);
  return parts.reduce((total, part) => {
    const [, number, unit] = /^([\d.]+)(.+)$/.exec(part)!;
    return total + Number(number) * UNIT_MS[unit!]!;
  }, 0);
}

/** Beside the kubeconfig `npm start` writes (`.kindred/kubeconfig`). */
export const DEFAULT_DATA_DIR = '.kindred/data';

export function parseValidateFlags(args: string[]): {
  config?: string;
  kubeconfig?: string;
  output: 'text' | 'table' | 'yaml';
  dataDir?: string;
  replicas: number;
  etcd?: EtcdSettings;
} {
  const { values } = parse(args, {
    config: { type: 'string' },
    kubeconfig: { type: 'string' },
    output: { type: 'string', short: 'o' },
    'data-dir': { type: 'string' },
    replicas: { type: 'string' },
    ...ETCD_OPTIONS,
  });
  const etcd = etcdSettings(values);
  const output = (values.output as string | undefined) ?? 'text';
  if (output !== 'text' && output !== 'table' && output !== 'yaml') throw new UsageError(`-o: expected text, table or yaml, not ${output}`);
  return {
    output,
    ...(values.config ? { config: values.config as string } : {}),
    // The cluster plugins that store objects in Kubernetes connect to, as `serve --kubeconfig`.
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig as string } : {}),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] as string } : {}),
    replicas: parseReplicas(values.replicas),
    // The etcd the `etcd` plugin stores objects in, as `serve --etcd-*` (its stores are made, not connected).
    ...(etcd ? { etcd } : {}),
  };
}

export function parseExportFlags(args: string[]): { dataDir: string; output?: string } {
  const { values } = parse(args, { 'data-dir': { type: 'string' }, output: { type: 'string', short: 'o' } });
  return { dataDir: (values['data-dir'] as string | undefined) ?? DEFAULT_DATA_DIR, ...(values.output ? { output: values.output as string } : {}) };
}

export function parseImportFlags(args: string[]): { dataDir: string; file: string } {
  const { values, positionals } = parse(args, { 'data-dir': { type: 'string' } }, true);
  if (positionals.length !== 1) throw new UsageError('import: expected exactly one FILE (a kindred export, YAML or JSON)');
  return { dataDir: (values['data-dir'] as string | undefined) ?? DEFAULT_DATA_DIR, file: positionals[0]! };
}

function parseReplicas(value: string | boolean | undefined): number {
  const replicas = Number(value ?? 1);
  if (!Number.isInteger(replicas) || replicas < 1) throw new UsageError(`--replicas: not a positive integer: ${String(value)}`);
  return replicas;
}

function parse(
  args: string[],
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>,
  allowPositionals = false,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  if (args.includes('--help') || args.includes('-h')) throw new HelpRequested();
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    // node's messages are long ("Unknown option '--x'. To specify a positional argument...");
    // one line naming the flag is what a user needs.
    const message = (error as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(message);
    throw new UsageError(unknown ? `unknown flag: ${unknown[1]}` : message.split('.')[0]!);
  }
}
