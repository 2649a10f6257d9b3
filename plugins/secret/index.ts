/**
 * The `secret` storage plugin: each object of the kind is a Kubernetes Secret, for
 * credentials and small per-tenant data. See projection.ts for the layout.
 *
 *   backend: {plugin: secret, options: {prefix: creds-, layout: fields}}
 */
import type { KindDefinition } from '../../core/types/kind.ts';
import { CONTRACT_VERSION, type PluginContext, type StoragePlugin } from '../../core/types/storage.ts';
import { ProjectedStore } from '../../lib/kube/store.ts';
import { secretOptionsSchema, secretProjection, type SecretOptions } from './projection.ts';

export { SECRET, JSON_FIELDS_ANNOTATION, secretProjection, secretOptionsSchema, type SecretOptions } from './projection.ts';

export const secretPlugin: StoragePlugin = {
  contractVersion: CONTRACT_VERSION,
  name: 'secret',
  optionsSchema: secretOptionsSchema,
  async create(kind: KindDefinition, options: Record<string, unknown>, ctx: PluginContext): Promise<ProjectedStore> {
    return new ProjectedStore(kind, secretProjection(kind, options as SecretOptions), { kubeconfigPath: ctx.kubeconfigPath, log: ctx.log });
  },
};

export default secretPlugin;
