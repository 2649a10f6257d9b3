/**
 * A kind as a Flux HelmRelease (helm.toolkit.fluxcd.io/v2): the object's `spec` becomes
 * the release's `values`, the chart and the release settings come from the plugin's
 * options (users can choose neither), and the release's status comes back as the
 * object's status.
 */
import { StoreError } from '../../core/types/errors.ts';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { KubeObject } from '../../core/types/object.ts';
import { fromBackingMetadata, isProjectionOf, storageApiVersion, toBackingMetadata, type MetadataMapping } from '../../lib/kube/mapping.ts';
import type { BackingResource, Projection } from '../../lib/kube/index.ts';
import type { HelmReleaseOptions } from './options.ts';
import { cloneJson, isObject } from '../../lib/json.ts';

export const HELM_RELEASE: BackingResource = { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases', kind: 'HelmRelease' };

/** Helm refuses release names longer than this (helm/pkg/action: releaseNameMaxLen). */
export const HELM_RELEASE_NAME_LIMIT = 53;

const SETTINGS = ['timeout', 'install', 'upgrade', 'rollback', 'uninstall', 'test'] as const;

export function helmReleaseProjection(kind: KindDefinition, options: HelmReleaseOptions): Projection {
  const mapping: MetadataMapping = {
    kind,
    prefix: options.prefix ?? `${kind.names.singular}-`,
    ...(options.labels ? { fixedLabels: options.labels } : {}),
    // HelmRelease has a status subresource, so its generation moves with its spec only.
    generation: 'backing',
  };
  const path = (options.valuesPath ?? '').split('.').filter(Boolean);

  return {
    resource: HELM_RELEASE,
    backingName: (name) => mapping.prefix + name,
    check(object) {
      const name = object.metadata.name ?? '';
      // No targetNamespace is set, so Flux names the Helm release after the HelmRelease.
      if (mapping.prefix.length + name.length > HELM_RELEASE_NAME_LIMIT) {
        const most = HELM_RELEASE_NAME_LIMIT - mapping.prefix.length;
        throw new StoreError('Invalid', `${kind.names.kind} "${name}" is invalid: metadata.name: Too long: may not be more than ${most} characters`, {
          causes: [
            {
              reason: 'FieldValueTooLong',
              field: 'metadata.name',
              message: `Too long: may not be more than ${most} characters (the Helm release name "${mapping.prefix}${name}" would exceed Helm's limit of ${HELM_RELEASE_NAME_LIMIT})`,
            },
          ],
        });
      }
    },
    toBacking(object, current) {
      const spec: Record<string, unknown> = {
        ...(isObject(current?.spec) ? current.spec : {}),
        interval: options.interval ?? '5m',
        values: placeAt(path, cloneJson(isObject(object.spec) ? object.spec : {})),
      };
      if (options.chart) {
        const { name, ...chart } = options.chart;
        spec.chart = { spec: { chart: name, ...cloneJson(chart) } };
        delete spec.chartRef;
      } else if (options.chartRef) {
        spec.chartRef = cloneJson(options.chartRef);
        delete spec.chart;
      }
      for (const setting of SETTINGS) if (options[setting] !== undefined) spec[setting] = cloneJson(options[setting]);
      if (options.valuesFrom) spec.valuesFrom = cloneJson(options.valuesFrom);
      return { apiVersion: `${HELM_RELEASE.group}/${HELM_RELEASE.version}`, kind: HELM_RELEASE.kind, metadata: toBackingMetadata(mapping, object, current), spec };
    },
    fromBacking(backing) {
      if (!isProjectionOf(mapping, backing)) return undefined;
      const hrSpec = isObject(backing.spec) ? backing.spec : {};
      const values = takeAt(path, hrSpec.values);
      const object: KubeObject = {
        apiVersion: storageApiVersion(kind),
        kind: kind.names.kind,
        metadata: fromBackingMetadata(mapping, backing),
        spec: isObject(values) ? values : {},
      };
      const status = statusOf(backing.status);
      if (status) object.status = status;
      return object;
    },
  };
}

/**
 * The object's status from the HelmRelease's: its conditions (Ready, Released, ...),
 * `version` from the last attempted chart revision, and observedGeneration, which counts
 * the same generations as the object because they are the HelmRelease's.
 */
function statusOf(hrStatus: unknown): Record<string, unknown> | undefined {
  if (!isObject(hrStatus)) return undefined;
  const status: Record<string, unknown> = {};
  if (Array.isArray(hrStatus.conditions)) {
    status.conditions = hrStatus.conditions.filter(isObject).map((c) => {
      const condition: Record<string, unknown> = {};
      for (const field of ['type', 'status', 'reason', 'message', 'lastTransitionTime', 'observedGeneration']) if (c[field] !== undefined) condition[field] = c[field];
      return condition;
    });
  }
  if (typeof hrStatus.lastAttemptedRevision === 'string') status.version = hrStatus.lastAttemptedRevision;
  if (typeof hrStatus.observedGeneration === 'number') status.observedGeneration = hrStatus.observedGeneration;
  return Object.keys(status).length > 0 ? status : undefined;
}

function placeAt(path: string[], value: Record<string, unknown>): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), value);
}

/**
 * The values at `path`, not copied: `fromBacking` is handed a fresh copy of the cached
 * HelmRelease (ProjectedStore clones it), so they are the projection's to keep. A second
 * copy here was a quarter of a LIST's projection cost (issue 15 bench, helmrelease).
 */
function takeAt(path: string[], values: unknown): unknown {
  let at = values;
  for (const key of path) at = isObject(at) ? at[key] : undefined;
  return at === undefined ? {} : at;
}

