/**
 * Starting and stopping a kindred server: config → stores → snapshot → HTTPS server.
 * The CLI and the tests both start kindred through here.
 */
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig, type ConfigError } from '../config/index.ts';
import { resolveBuiltinPlugin } from '../plugins/index.ts';
import { buildSnapshot } from './registry.ts';
import { createStores } from './stores.ts';
import { KindredServer } from './server.ts';
import { createSecurity } from './security.ts';
import { writeKubeconfig } from './cli/kubeconfig.ts';

export interface StartOptions {
  configPath: string;
  port: number;
  host: string;
  log: Logger;
  /** Serving certificate files; without them kindred makes its own CA (standalone mode). */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Where to write an admin kubeconfig (standalone mode). */
  kubeconfigPath?: string;
}

export interface RunningKindred {
  server: KindredServer;
  /** `https://<host>:<port>` */
  url: string;
  port: number;
  /** PEM of the CA that signed the serving certificate, in standalone mode. */
  caPem?: string;
  stop(): Promise<void>;
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
  const configPath = resolve(options.configPath);
  const config = await loadConfig({ path: configPath }, resolveBuiltinPlugin);
  if (!config.ok) throw new ConfigInvalidError(configPath, config.errors);
  const { stores } = await createStores(config.kinds, resolveBuiltinPlugin, { configDir: dirname(configPath), log: options.log });
  const snapshot = buildSnapshot(config.kinds, stores);

  const security = await createSecurity({
    host: options.host,
    ...(options.tlsCertFile ? { tlsCertFile: options.tlsCertFile, tlsPrivateKeyFile: options.tlsPrivateKeyFile! } : {}),
  });
  const server = new KindredServer(snapshot, {
    tls: security.tls,
    authenticate: security.authenticate,
    authorize: security.authorize,
    log: options.log,
  });
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
  options.log.info({ url, config: configPath, kinds: config.kinds.length, hash: config.hash }, 'serving');
  const running: RunningKindred = {
    server,
    url,
    port: address.port,
    async stop() {
      await server.close();
      await security.stop();
      await Promise.allSettled([...new Set(stores.values())].map((s) => s.close()));
    },
  };
  if (security.standalone) running.caPem = security.standalone.caPem;
  return running;
}
