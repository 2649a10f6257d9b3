/**
 * The `secret` storage plugin: each object of the kind is a Kubernetes Secret, for
 * credentials and small per-tenant data. See projection.ts for the layout.
 *
 *   backend: {plugin: secret, options: {prefix: creds-, layout: fields}}
 */
import { CONTRACT_VERSION, definePlugin } from '../../core/types/storage.ts';
import { secretOptionsSchema, secretProjection, type SecretOptions } from './projection.ts';

export { SECRET, JSON_FIELDS_ANNOTATION, secretProjection, secretOptionsSchema, type SecretOptions } from './projection.ts';

export const secretPlugin = definePlugin<SecretOptions>({
  contractVersion: CONTRACT_VERSION,
  name: 'secret',
  // Checked (defaults applied) when the config loads: `create` gets SecretOptions.
  optionsSchema: secretOptionsSchema,
  async create(kind, options, ctx) {
    // Loaded on first use: it brings the Kubernetes client, which most configs never need.
    const { ProjectedStore } = await import('../../lib/kube/store.ts');
    return new ProjectedStore(kind, secretProjection(kind, options), { kubeconfigPath: ctx.kubeconfigPath, log: ctx.log });
  },
});

export default secretPlugin;
