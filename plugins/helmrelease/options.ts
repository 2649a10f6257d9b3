/** The `helmrelease` plugin's options: their JSON Schema and their type. */

export interface HelmReleaseOptions {
  /** Prepended to the object's name to make the HelmRelease's (and the Helm release's) name. Default `<singular>-`. */
  prefix?: string;
  /** Extra labels on every HelmRelease; hidden from the kind. */
  labels?: Record<string, string>;
  chart?: {
    name: string;
    version?: string;
    sourceRef: { kind: string; name: string; namespace?: string };
    interval?: string;
    reconcileStrategy?: string;
  };
  chartRef?: { kind: string; name: string; namespace?: string };
  /** The HelmRelease's reconcile interval. Default `5m`. */
  interval?: string;
  timeout?: string;
  install?: Record<string, unknown>;
  upgrade?: Record<string, unknown>;
  rollback?: Record<string, unknown>;
  uninstall?: Record<string, unknown>;
  test?: Record<string, unknown>;
  /** Fixed by the server: users cannot point at other ConfigMaps or Secrets. */
  valuesFrom?: Record<string, unknown>[];
  /** Where `spec` goes in `values`: a dotted path, or '' (the default) for all of `values`. */
  valuesPath?: string;
}

const sourceRef = {
  type: 'object',
  required: ['kind', 'name'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', description: 'e.g. HelmRepository, GitRepository, Bucket, OCIRepository, HelmChart' },
    name: { type: 'string', minLength: 1 },
    namespace: { type: 'string' },
  },
};

const freeForm = { type: 'object', additionalProperties: true };

export const helmReleaseOptionsSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  oneOf: [{ required: ['chart'] }, { required: ['chartRef'] }],
  properties: {
    prefix: { type: 'string', pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?[-.]?)?$', maxLength: 40, description: 'HelmRelease name prefix (default `<singular>-`)' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    chart: {
      type: 'object',
      required: ['name', 'sourceRef'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1 },
        version: { type: 'string' },
        sourceRef,
        interval: { type: 'string' },
        reconcileStrategy: { type: 'string', enum: ['ChartVersion', 'Revision'] },
      },
    },
    chartRef: sourceRef,
    interval: { type: 'string', description: 'reconcile interval, e.g. 5m (default)' },
    timeout: { type: 'string' },
    install: freeForm,
    upgrade: freeForm,
    rollback: freeForm,
    uninstall: freeForm,
    test: freeForm,
    valuesFrom: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'name'],
        properties: { kind: { type: 'string', enum: ['ConfigMap', 'Secret'] }, name: { type: 'string' }, valuesKey: { type: 'string' }, targetPath: { type: 'string' }, optional: { type: 'boolean' } },
      },
    },
    valuesPath: { type: 'string', pattern: '^([A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*)?$', description: "where spec goes in values ('' = all of values)" },
  },
};
