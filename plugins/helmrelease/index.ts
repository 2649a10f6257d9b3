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
import { CONTRACT_VERSION, definePlugin } from '../../core/types/storage.ts';
import { helmReleaseOptionsSchema, type HelmReleaseOptions } from './options.ts';
import { helmReleaseProjection } from './projection.ts';

export { HELM_RELEASE, HELM_RELEASE_NAME_LIMIT, helmReleaseProjection } from './projection.ts';
export type { HelmReleaseOptions } from './options.ts';

export const helmReleasePlugin = definePlugin<HelmReleaseOptions>({
  contractVersion: CONTRACT_VERSION,
  name: 'helmrelease',
  // Checked (defaults applied) when the config loads: `create` gets HelmReleaseOptions.
  optionsSchema: helmReleaseOptionsSchema,
  async create(kind, options, ctx) {
    // Loaded on first use: it brings the Kubernetes client, which most configs never need.
    const { ProjectedStore } = await import('../../lib/kube/store.ts');
    return new ProjectedStore(kind, helmReleaseProjection(kind, options), { kubeconfigPath: ctx.kubeconfigPath, log: ctx.log });
  },
});

export default helmReleasePlugin;
