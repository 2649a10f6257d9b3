/** Command-line flags, named as k8s.io/apiserver names them where they mean the same. */
import { parseArgs } from 'node:util';

export interface ServeFlags {
  config?: string;
  securePort: number;
  bindAddress: string;
  writeKubeconfig?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
}

export class UsageError extends Error {}

export const USAGE = `Usage:
  kindred serve [--config FILE] [--secure-port 8443] [--bind-address 127.0.0.1]
                [--write-kubeconfig FILE] [--tls-cert-file F --tls-private-key-file F]
  kindred validate [--config FILE]

Without --config, kindred looks for kindred.config.yaml, .kindredrc(.yaml|.json) or a
"kindred" key in package.json, from the current folder up.`;

export function parseServeFlags(args: string[]): ServeFlags {
  const { values } = parse(args, {
    config: { type: 'string' },
    'secure-port': { type: 'string' },
    'bind-address': { type: 'string' },
    'write-kubeconfig': { type: 'string' },
    'tls-cert-file': { type: 'string' },
    'tls-private-key-file': { type: 'string' },
  });
  const port = Number(values['secure-port'] ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--secure-port: not a port: ${String(values['secure-port'])}`);
  if (Boolean(values['tls-cert-file']) !== Boolean(values['tls-private-key-file'])) {
    throw new UsageError('--tls-cert-file and --tls-private-key-file go together');
  }
  const flags: ServeFlags = { securePort: port, bindAddress: (values['bind-address'] as string | undefined) ?? '127.0.0.1' };
  if (values.config) flags.config = values.config as string;
  if (values['write-kubeconfig']) flags.writeKubeconfig = values['write-kubeconfig'] as string;
  if (values['tls-cert-file']) flags.tlsCertFile = values['tls-cert-file'] as string;
  if (values['tls-private-key-file']) flags.tlsPrivateKeyFile = values['tls-private-key-file'] as string;
  return flags;
}

export function parseValidateFlags(args: string[]): { config?: string } {
  const { values } = parse(args, { config: { type: 'string' } });
  return values.config ? { config: values.config as string } : {};
}

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>): { values: Record<string, string | boolean | undefined> } {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
