/** Opens the config source the command line names: `--config PATH` or `--config-configmap NAMESPACE/NAME`. */
import { resolve } from 'node:path';
import type { ConfigMapRef } from '../../config/configmap-ref.ts';
import { FileConfigSource, type ConfigSource } from '../../config/sources.ts';

export interface SourceOptions {
  /** A config file or a directory of config files. */
  configPath?: string;
  configConfigMap?: ConfigMapRef;
  /** For the ConfigMap source: the cluster's kubeconfig (else in-cluster config). */
  kubeconfig?: string;
  /** Quiet time before a burst of changes triggers one reload. */
  debounceMs?: number;
}

export async function openConfigSource(options: SourceOptions): Promise<ConfigSource> {
  const debounce = options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs };
  if (options.configConfigMap) {
    if (options.configPath) throw new Error('give either a config path or a config ConfigMap, not both');
    // Loaded only for a ConfigMap: it brings the Kubernetes client.
    const { ConfigMapSource } = await import('../../config/configmap-source.ts');
    return new ConfigMapSource(options.configConfigMap, { ...(options.kubeconfig ? { kubeconfigPath: options.kubeconfig } : {}), ...debounce });
  }
  if (!options.configPath) throw new Error('no config: give a config path or a config ConfigMap');
  return FileConfigSource.open(resolve(options.configPath), debounce);
}
