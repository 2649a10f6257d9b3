/**
 * `--config-configmap NAMESPACE/NAME`: which ConfigMap holds the config. Apart from the
 * source (configmap-source.ts) so that parsing the flag does not load the Kubernetes client.
 */
export interface ConfigMapRef {
  namespace: string;
  name: string;
}

/** Parses `NAMESPACE/NAME`; throws with a one-line reason. */
export function parseConfigMapRef(value: string): ConfigMapRef {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(value);
  if (!match) throw new Error(`"${value}" is not NAMESPACE/NAME`);
  return { namespace: match[1]!, name: match[3]! };
}

/** The reason on Events kindred records for a rejected config. */
export const CONFIG_REJECTED_REASON = 'ConfigRejected';
