/** `kindred serve`, `validate`, `export`, `import`, `rbac`, `new-plugin` and `version`. Returns the process exit code. */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { findConfig } from '../../config/index.ts';
import { readConfigPath } from '../../config/sources.ts';
import { PluginLoader } from '../reload/plugin-loader.ts';
import { buildGeneration, checkPluginFactories, validateRead } from '../reload/build.ts';
import { replicaWarning } from '../reload/replicas.ts';
import { exportCommand, importCommand } from './data.ts';
import { userClusterRoles } from '../rbac.ts';
import { stringify as stringifyYaml } from 'yaml';
import { resolveBuiltinPlugin } from '../../plugins/index.ts';
import { createLogger } from '../../core/logger.ts';
import { KINDRED_VERSION } from '../../core/version-info.ts';
import { ConfigInvalidError, startKindred, type StartOptions } from '../startup.ts';
import { parseConfigMapRef } from '../../config/configmap-ref.ts';
import { parseServiceRef, type ServiceRef } from '../apiservices.ts';
import { newPlugin } from './new-plugin.ts';
import { HelpRequested, parseServeFlags, parseValidateFlags, USAGE, UsageError, type ServeFlags } from './flags.ts';
import type { KindDefinition } from '../../core/types/kind.ts';

/** Where the command reads and writes, and when `serve` stops: the process's by default, a test's in process. */
export interface CliIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Resolves, with what asked (e.g. the signal's name), when `serve` should shut down; by default on SIGINT or SIGTERM. */
  readonly stopRequested: () => Promise<string>;
}

const processIo: CliIo = {
  get cwd() {
    return process.cwd();
  },
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  stopRequested: () =>
    new Promise<string>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    }),
};

async function configPath(flag: string | undefined, io: CliIo): Promise<string> {
  if (flag) return resolve(io.cwd, flag);
  const found = await findConfig(io.cwd);
  if (!found) throw new UsageError('no config found: pass --config FILE or create kindred.config.yaml');
  return found;
}

function configMapRef(value: string): { namespace: string; name: string } {
  try {
    return parseConfigMapRef(value);
  } catch (error) {
    throw new UsageError(`--config-configmap: ${(error as Error).message}`);
  }
}

function serviceRef(value: string): ServiceRef {
  const ref = parseServiceRef(value);
  if (!ref) throw new UsageError(`--apiservice-service: expected NAMESPACE/NAME[:PORT], not ${value}`);
  return ref;
}

/** Where standalone mode writes its admin kubeconfig when --write-kubeconfig names no file. */
export const DEFAULT_KUBECONFIG = '.kindred/kubeconfig';

async function serve(args: string[], io: CliIo): Promise<number> {
  const flags = parseServeFlags(args);
  const log = createLogger({ ...(flags.logFormat ? { format: flags.logFormat } : {}), verbosity: flags.verbosity });
  // Standalone (no serving certificate from files or the cluster): always say how to connect.
  const standalone = !flags.tlsCertFile && !flags.manageApiServices;
  const kubeconfigFile = flags.writeKubeconfig ?? (standalone ? DEFAULT_KUBECONFIG : undefined);
  const running = await startKindred({
    ...(flags.configConfigMap ? { configConfigMap: configMapRef(flags.configConfigMap) } : { configPath: await configPath(flags.config, io) }),
    ...(flags.kubeconfig ? { kubeconfig: resolve(io.cwd, flags.kubeconfig) } : {}),
    dataDir: resolve(io.cwd, flags.dataDir),
    replicas: flags.replicas,
    ...(flags.etcd ? { etcd: etcdFiles(flags.etcd) } : {}),
    port: flags.securePort,
    host: flags.bindAddress,
    log,
    ...(flags.tlsCertFile ? { tlsCertFile: flags.tlsCertFile, tlsPrivateKeyFile: flags.tlsPrivateKeyFile! } : {}),
    ...(kubeconfigFile ? { kubeconfigPath: resolve(io.cwd, kubeconfigFile) } : {}),
    logRequests: flags.verbosity >= 3,
    ...(flags.authorizationAlwaysAllowPaths ? { alwaysAllowPaths: flags.authorizationAlwaysAllowPaths } : {}),
    ...(flags.manageApiServices ? { manageApiServices: { service: serviceRef(flags.apiServiceService!) } } : {}),
    delegation: delegationOptions(flags, io),
    maxInFlight: { readOnly: flags.maxRequestsInflight, mutating: flags.maxMutatingRequestsInflight },
    requestTimeoutMs: flags.requestTimeoutMs,
    shutdownDelayMs: flags.shutdownDelayMs,
    http2MaxStreamsPerConnection: flags.http2MaxStreamsPerConnection,
    ...(flags.auditLogPath ? { audit: { path: flags.auditLogPath, ...(flags.auditPolicyFile ? { policyFile: resolve(io.cwd, flags.auditPolicyFile) } : {}) } } : {}),
    guardPluginFaults: true,
  }).catch((error: unknown) => {
    throw startFailure(error, flags);
  });
  // Handlers first: whoever reads the line below may stop us at once.
  const stopped = io.stopRequested().then((signal) => {
    log.info({ signal, shutdownDelayMs: flags.shutdownDelayMs }, 'shutting down: /readyz fails, in-flight requests finish');
    return running.shutdown();
  });
  if (kubeconfigFile) {
    io.stdout(`kindred is serving at ${running.url}\nPoint kubectl at it with:\n  kubectl --kubeconfig ${resolve(io.cwd, kubeconfigFile)} api-resources\n`);
  } else {
    io.stdout(`kindred is serving at ${running.url}\n`);
  }
  await stopped;
  return 0;
}

/** The etcd settings with their files made absolute: plugins do not know our working folder. */
function etcdFiles(etcd: NonNullable<ServeFlags['etcd']>): NonNullable<ServeFlags['etcd']> {
  return {
    ...etcd,
    ...(etcd.caFile ? { caFile: resolve(etcd.caFile) } : {}),
    ...(etcd.certFile ? { certFile: resolve(etcd.certFile) } : {}),
    ...(etcd.keyFile ? { keyFile: resolve(etcd.keyFile) } : {}),
  };
}

/** The aggregated-mode flags as app/security.ts options (only those given). */
function delegationOptions(flags: ServeFlags, io: CliIo): NonNullable<StartOptions['delegation']> {
  const requestHeader = {
    ...(flags.requestheaderClientCaFile ? { clientCaFile: resolve(io.cwd, flags.requestheaderClientCaFile) } : {}),
    ...(flags.requestheaderAllowedNames ? { allowedNames: flags.requestheaderAllowedNames } : {}),
    ...(flags.requestheaderUsernameHeaders ? { usernameHeaders: flags.requestheaderUsernameHeaders } : {}),
    ...(flags.requestheaderGroupHeaders ? { groupHeaders: flags.requestheaderGroupHeaders } : {}),
    ...(flags.requestheaderExtraHeadersPrefix ? { extraHeadersPrefix: flags.requestheaderExtraHeadersPrefix } : {}),
  };
  return {
    ...(flags.authenticationKubeconfig ? { authenticationKubeconfig: resolve(io.cwd, flags.authenticationKubeconfig) } : {}),
    ...(flags.authorizationKubeconfig ? { authorizationKubeconfig: resolve(io.cwd, flags.authorizationKubeconfig) } : {}),
    ...(flags.clientCaFile ? { clientCaFile: resolve(io.cwd, flags.clientCaFile) } : {}),
    ...(Object.keys(requestHeader).length > 0 ? { requestHeader } : {}),
    ...(flags.anonymousAuth === undefined ? {} : { anonymousAuth: flags.anonymousAuth }),
  };
}

async function validate(args: string[], io: CliIo): Promise<number> {
  const flags = parseValidateFlags(args);
  const path = await configPath(flags.config, io);
  // The same reading and checks as `serve`: a file or a directory, and plugins from paths or packages.
  const loader = new PluginLoader({ builtin: resolveBuiltinPlugin, watch: false });
  const read = await readConfigPath(path);
  const configDir = await stat(path).then((s) => (s.isDirectory() ? path : dirname(path)), () => dirname(path));
  const validated = await validateRead(read, { loader, configDir }).finally(() => loader.close());
  const data = await dataDirFor(flags.dataDir);
  const errors = validated.ok
    ? await checkPluginFactories(read, validated, {
        configDir,
        log: createLogger({ level: 'error' }),
        ...(flags.kubeconfig ? { kubeconfigPath: resolve(io.cwd, flags.kubeconfig) } : {}),
        dataDir: data.dir,
        ...(flags.etcd ? { etcd: etcdFiles(flags.etcd) } : {}),
      }).finally(data.done)
    : validated.errors;
  if (validated.ok && errors.length === 0) {
    if (flags.output === 'text') io.stdout(`${path}: valid (${plural(validated.kinds.length, 'kind')})\n`);
    else io.stdout(describeKinds(validated.kinds, flags.output));
    const warning = replicaWarning(validated.kinds, validated.resolve, flags.replicas);
    if (warning) io.stderr(`warning: ${warning}\n`);
    return 0;
  }
  io.stderr(`${path}: ${errors.length} error(s)\n`);
  for (const error of errors) io.stderr(`  ${error.path}: ${error.message}\n`);
  return 1;
}

/** `kindred rbac`: the ClusterRoles for the config's kinds (app/rbac.ts), as YAML on stdout. */
/**
 * The data directory for commands that open stores only to look at them (validate, rbac):
 * `--data-dir` when given, else an empty scratch one removed afterwards, so that they never
 * touch (or wait for) the data of a kindred that is serving.
 */
async function dataDirFor(given: string | undefined): Promise<{ dir: string; done: () => Promise<void> }> {
  if (given) return { dir: resolve(given), done: async () => {} };
  const scratch = await mkdtemp(join(tmpdir(), 'kindred-scratch-'));
  return { dir: join(scratch, 'data'), done: () => rm(scratch, { recursive: true, force: true }) };
}

async function rbac(args: string[], io: CliIo): Promise<number> {
  const flags = parseValidateFlags(args);
  const path = await configPath(flags.config, io);
  const loader = new PluginLoader({ builtin: resolveBuiltinPlugin, watch: false });
  const configDir = await stat(path).then((s) => (s.isDirectory() ? path : dirname(path)), () => dirname(path));
  // The verbs come from the stores themselves: create them, read what they can do, close them.
  const data = await dataDirFor(flags.dataDir);
  const built = await buildGeneration(await readConfigPath(path), { loader, configDir, log: createLogger({ level: 'error' }), dataDir: data.dir }).finally(() => loader.close());
  if (!built.ok || built.unchanged) {
    await data.done();
    for (const error of built.ok ? [] : built.errors) io.stderr(`  ${error.path}: ${error.message}\n`);
    return 1;
  }
  const roles = userClusterRoles(built.generation.snapshot);
  await Promise.all([...built.generation.snapshot.stores.values()].map((store) => store.close()));
  await data.done();
  io.stdout(roles.map((role) => stringifyYaml(role)).join('---\n'));
  return 0;
}

/** Thrown by `serve` for a start that failed for a reason the user can fix: said in one line. */
class StartFailure extends Error {}

/** One line for what stopped the start (a port in use, a certificate that cannot be read); a bug keeps its stack. */
function startFailure(error: unknown, flags: ServeFlags): unknown {
  if (!(error instanceof Error) || error instanceof ConfigInvalidError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const path = (error as NodeJS.ErrnoException).path;
  if (code === 'EADDRINUSE') return new StartFailure(`port ${flags.securePort} on ${flags.bindAddress} is already in use (--secure-port, --bind-address)`);
  if (code === 'EACCES' && !path) return new StartFailure(`not allowed to listen on port ${flags.securePort} of ${flags.bindAddress}`);
  if (code === 'EADDRNOTAVAIL') return new StartFailure(`--bind-address ${flags.bindAddress} is not an address of this machine`);
  if (path && (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')) return new StartFailure(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : 'permission denied'}`);
  if (/PEM|certificate|private key|key values mismatch/i.test(error.message) && flags.tlsCertFile) {
    return new StartFailure(`the serving certificate or key is not usable (--tls-cert-file ${flags.tlsCertFile}): ${error.message.split('\n')[0]}`);
  }
  return error;
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** `validate -o table|yaml`: what the config would serve. */
function describeKinds(kinds: readonly KindDefinition[], output: 'table' | 'yaml'): string {
  const rows = kinds.flatMap((k) =>
    k.versions
      .filter((v) => v.served)
      .map((v) => ({
        groupVersion: `${k.group}/${v.name}`,
        kind: k.names.kind,
        plural: k.names.plural,
        scope: k.scope,
        backend: k.backend.plugin,
        subresources: Object.keys(v.subresources).sort().join(',') || '<none>',
      })),
  );
  if (output === 'yaml') return stringifyYaml(rows);
  const header = { groupVersion: 'GROUP/VERSION', kind: 'KIND', plural: 'PLURAL', scope: 'SCOPE', backend: 'BACKEND', subresources: 'SUBRESOURCES' };
  const columns = Object.keys(header) as (keyof typeof header)[];
  const widths = columns.map((c) => Math.max(header[c].length, ...rows.map((r) => r[c].length)));
  return [header, ...rows].map((r) => columns.map((c, i) => r[c].padEnd(widths[i]!)).join('   ').trimEnd()).join('\n') + '\n';
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(args, io);
      case 'validate':
        return await validate(args, io);
      case 'export':
        return await exportCommand(args);
      case 'import':
        return await importCommand(args);
      case 'rbac':
        return await rbac(args, io);
      case 'new-plugin':
        return await newPlugin(args);
      case 'version':
      case '--version':
        io.stdout(`kindred ${KINDRED_VERSION}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (error instanceof UsageError) {
      io.stderr(`kindred: ${error.message}\nRun 'kindred --help' for usage.\n`);
      return 2;
    }
    if (error instanceof StartFailure) {
      io.stderr(`kindred: ${error.message}\n`);
      return 1;
    }
    if (error instanceof ConfigInvalidError) {
      io.stderr(`kindred: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
