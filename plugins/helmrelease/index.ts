/**
 * The `helmrelease` storage plugin: each object of the kind is a Flux HelmRelease of a
 * chart the platform team fixed in the options; `spec` becomes the release's values.
 *
 *   backend:
 *     plugin: helmrelease
 *     options:
 *       prefix: pg-
 *       chart: {name: postgres, version: 1.x, sourceRef: {kind: HelmRepository, name: platform, namespace: flux-system}}
 */
import type { KindDefinition } from '../../core/types/kind.ts';
import { CONTRACT_VERSION, type PluginContext, type StoragePlugin } from '../../core/types/storage.ts';
import { ProjectedStore } from '../../lib/kube/store.ts';
import { helmReleaseOptionsSchema, type HelmReleaseOptions } from './options.ts';
import { helmReleaseProjection } from './projection.ts';

export { HELM_RELEASE, HELM_RELEASE_NAME_LIMIT, helmReleaseProjection } from './projection.ts';
export type { HelmReleaseOptions } from './options.ts';

export const helmReleasePlugin: StoragePlugin = {
  contractVersion: CONTRACT_VERSION,
  name: 'helmrelease',
  optionsSchema: helmReleaseOptionsSchema,
  async create(kind: KindDefinition, options: Record<string, unknown>, ctx: PluginContext): Promise<ProjectedStore> {
    // The loader has checked options against helmReleaseOptionsSchema.
    const projection = helmReleaseProjection(kind, options as HelmReleaseOptions);
    return new ProjectedStore(kind, projection, { kubeconfigPath: ctx.kubeconfigPath, log: ctx.log });
  },
};

export default helmReleasePlugin;
