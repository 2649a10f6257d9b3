/**
 * The `etcd` storage plugin: a kind's objects in the etcd cluster given by kube-apiserver's
 * flags (`--etcd-servers`, `--etcd-prefix`, `--etcd-cafile`, `--etcd-certfile`,
 * `--etcd-keyfile`), so several kindred replicas serve one truth. See store.ts and watch.ts.
 *
 *   backend: {plugin: etcd, options: {watchWindow: 1000}}
 */
import type { KindDefinition } from '../../core/types/kind.ts';
import { CONTRACT_VERSION, definePlugin, type PluginContext } from '../../core/types/storage.ts';
import { etcdOptionsSchema, type EtcdPluginOptions } from './options.ts';
import type { EtcdStore } from './store.ts';

export type { EtcdStore } from './store.ts';
export { etcdOptionsSchema, type EtcdPluginOptions } from './options.ts';

export const etcdPlugin = definePlugin<EtcdPluginOptions>({
  contractVersion: CONTRACT_VERSION,
  name: 'etcd',
  optionsSchema: etcdOptionsSchema,
  async create(kind: KindDefinition, options: EtcdPluginOptions, ctx: PluginContext): Promise<EtcdStore> {
    // No etcd call here: a kind loads while etcd is down, and answers 503 until it is back.
    if (!ctx.etcd) throw new Error('the etcd plugin needs kindred started with --etcd-servers');
    // Loaded on first use: etcd's client (gRPC) is heavy, and most configs never need it.
    const [{ acquireClient, releaseClient }, { EtcdStore }] = await Promise.all([import('./client.ts'), import('./store.ts')]);
    const client = acquireClient(ctx.etcd);
    const store = new EtcdStore(kind, {
      client,
      prefix: ctx.etcd.prefix,
      log: ctx.log,
      onClose: () => releaseClient(client),
      ...(options.watchWindow === undefined ? {} : { watchWindow: options.watchWindow }),
    });
    ctx.log.debug({ servers: ctx.etcd.servers, keyPrefix: store.keyPrefix }, 'etcd store created');
    return store;
  },
});

export default etcdPlugin;
