/** The `etcd` plugin's `backend.options`, checked when config loads. */
export interface EtcdPluginOptions {
  watchWindow?: number;
}

export const etcdOptionsSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    watchWindow: {
      type: 'integer',
      minimum: 1,
      description: 'how many past events a watch can resume from without listing again (default 1000)',
    },
  },
};
