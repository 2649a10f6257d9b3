/**
 * Starting and stopping a kindred server: config → stores → snapshot → HTTPS server.
 * The CLI and the tests both start kindred through here.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig, type ConfigError } from '../config/index.ts';
import { resolveBuiltinPlugin } from '../plugins/index.ts';
import { buildSnapshot } from './registry.ts';
import { createStores } from './stores.ts';
import { KindredServer } from './server.ts';
import { clientCertificateAuthenticator } from './auth/client-certificate.ts';
import { allowAll } from './auth/types.ts';
import { createStandaloneCertificates } from './tls/standalone.ts';
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

  const standalone = options.tlsCertFile === undefined;
  const certs = standalone ? await createStandaloneCertificates(options.host === '127.0.0.1' || options.host === 'localhost' ? [] : [options.host]) : undefined;
  const tls = certs
    ? { certPem: certs.serving.certPem, keyPem: certs.serving.keyPem, clientCaPems: [certs.ca.certPem] }
    : {
        certPem: await readFile(options.tlsCertFile!, 'utf8'),
        keyPem: await readFile(options.tlsPrivateKeyFile!, 'utf8'),
        clientCaPems: [],
      };
  const server = new KindredServer(snapshot, {
    tls,
    authenticate: clientCertificateAuthenticator(tls.clientCaPems),
    authorize: allowAll,
    log: options.log,
  });
  const address = await server.listen(options.port, options.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `https://${host}:${address.port}`;
  if (certs && options.kubeconfigPath) {
    await writeKubeconfig(options.kubeconfigPath, {
      server: url,
      caPem: certs.ca.certPem,
      clientCertPem: certs.admin.certPem,
      clientKeyPem: certs.admin.keyPem,
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
      await Promise.allSettled([...new Set(stores.values())].map((s) => s.close()));
    },
  };
  if (certs) running.caPem = certs.ca.certPem;
  return running;
}
