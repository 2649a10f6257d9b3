/**
 * Declarative helpers for projecting a kind onto a Kubernetes object: names, identity
 * labels, and the metadata a user may set (labels, annotations) versus what belongs to
 * the backing object (owner references, finalizers, its own managedFields).
 *
 * The rules, shared by every Kubernetes-backed plugin:
 * - backing name = `prefix` + kind name; a backing object whose name lacks the prefix is
 *   not one of the kind's.
 * - identity: the labels `kindred.dev/group=<group>` and `kindred.dev/kind=<Kind>` on the
 *   backing object. Whoever made it (kindred, kubectl, Flux), an object with both labels
 *   is an object of the kind, and one without them never is.
 * - user labels and annotations are carried verbatim, so tools selecting backing objects
 *   by label keep working; keys under the reserved `kindred.dev` domain and the plugin's
 *   fixed labels are the plugin's own (subdomains such as `x.kindred.dev` are users') and never shown as the kind's.
 * - what has no native home on the backing object (the kind's managedFields, and its
 *   generation when the backing resource keeps none) is carried in reserved annotations.
 * - owner references and finalizers of the backing object are hidden, and kept on update.
 */
import type { KindDefinition } from '../../core/types/kind.ts';
import type { KubeObject, ObjectMeta } from '../../core/types/object.ts';
import { cloneJson } from '../json.ts';

export const RESERVED_DOMAIN = 'kindred.dev';
export const GROUP_LABEL = `${RESERVED_DOMAIN}/group`;
export const KIND_LABEL = `${RESERVED_DOMAIN}/kind`;
export const MANAGED_FIELDS_ANNOTATION = `${RESERVED_DOMAIN}/managed-fields`;
export const GENERATION_ANNOTATION = `${RESERVED_DOMAIN}/generation`;

/** The upstream label selector every kind's cache uses: objects with any kindred identity. */
export const IDENTITY_SELECTOR = KIND_LABEL;

export interface MetadataMapping {
  kind: KindDefinition;
  /** Prepended to the kind object's name to make the backing object's name. */
  prefix: string;
  /** Labels the plugin's options put on every backing object; hidden from the kind. */
  fixedLabels?: Record<string, string>;
  /**
   * Where the kind's generation lives: `backing` when the backing resource keeps one that
   * moves with its spec (custom resources), `annotation` otherwise (Secrets, ConfigMaps).
   */
  generation: 'backing' | 'annotation';
}

export function backingName(mapping: Pick<MetadataMapping, 'prefix'>, name: string): string {
  return mapping.prefix + name;
}

/** The kind object's name for a backing name, or undefined when the prefix does not match. */
export function kindName(mapping: Pick<MetadataMapping, 'prefix'>, backing: string): string | undefined {
  if (!backing.startsWith(mapping.prefix) || backing.length === mapping.prefix.length) return undefined;
  return backing.slice(mapping.prefix.length);
}

export function identityLabels(kind: KindDefinition): Record<string, string> {
  return { [GROUP_LABEL]: kind.group, [KIND_LABEL]: kind.names.kind };
}

/** True when `backing` carries the kind's identity labels and a prefixed name. */
export function isProjectionOf(mapping: MetadataMapping, backing: KubeObject): boolean {
  const labels = backing.metadata.labels ?? {};
  return (
    labels[GROUP_LABEL] === mapping.kind.group &&
    labels[KIND_LABEL] === mapping.kind.names.kind &&
    kindName(mapping, backing.metadata.name ?? '') !== undefined
  );
}

/** Keys that belong to kindred or to the plugin, never to the user. */
export function isReservedKey(key: string, fixed: Record<string, string> = {}): boolean {
  const domain = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
  return domain === RESERVED_DOMAIN || key in fixed;
}

/** The apiVersion of the kind's storage version: what objects of the kind are returned as. */
export function storageApiVersion(kind: KindDefinition): string {
  const version = kind.versions.find((v) => v.storage) ?? kind.versions[0];
  return `${kind.group}/${version?.name ?? 'v1'}`;
}

/**
 * The backing object's metadata for a kind object. `current` is the backing object being
 * replaced, whose hidden fields (owner references, finalizers, foreign reserved keys) are kept.
 */
export function toBackingMetadata(mapping: MetadataMapping, object: KubeObject, current?: KubeObject): ObjectMeta {
  const meta = object.metadata;
  const fixed = mapping.fixedLabels ?? {};
  const keep = (source: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(source ?? {}).filter(([key]) => isReservedKey(key, fixed)));
  const user = (source: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(source ?? {}).filter(([key]) => !isReservedKey(key, fixed)));

  const labels = { ...keep(current?.metadata.labels), ...user(meta.labels), ...fixed, ...identityLabels(mapping.kind) };
  const annotations: Record<string, string> = { ...keep(current?.metadata.annotations), ...user(meta.annotations) };
  if (meta.managedFields !== undefined) annotations[MANAGED_FIELDS_ANNOTATION] = JSON.stringify(meta.managedFields);
  else delete annotations[MANAGED_FIELDS_ANNOTATION];
  if (mapping.generation === 'annotation') annotations[GENERATION_ANNOTATION] = String(meta.generation ?? 1);

  const backing: ObjectMeta = { name: backingName(mapping, meta.name ?? ''), labels, annotations };
  if (meta.namespace !== undefined) backing.namespace = meta.namespace;
  if (meta.resourceVersion) backing.resourceVersion = meta.resourceVersion;
  for (const hidden of ['ownerReferences', 'finalizers'] as const) {
    const value = current?.metadata[hidden];
    if (value !== undefined) backing[hidden] = cloneJson(value) as never;
  }
  return backing;
}

/** The kind object's metadata for a backing object it projects (check isProjectionOf first). */
export function fromBackingMetadata(mapping: MetadataMapping, backing: KubeObject): ObjectMeta {
  const source = backing.metadata;
  const fixed = mapping.fixedLabels ?? {};
  const meta: ObjectMeta = { name: kindName(mapping, source.name ?? '') ?? '' };
  if (source.namespace !== undefined) meta.namespace = source.namespace;
  for (const field of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
    if (source[field] !== undefined) meta[field] = source[field] as never;
  }
  const annotations = source.annotations ?? {};
  const generation = mapping.generation === 'backing' ? source.generation : Number(annotations[GENERATION_ANNOTATION] ?? 1);
  meta.generation = typeof generation === 'number' && Number.isSafeInteger(generation) && generation > 0 ? generation : 1;
  const labels = Object.fromEntries(Object.entries(source.labels ?? {}).filter(([key]) => !isReservedKey(key, fixed)));
  if (Object.keys(labels).length > 0) meta.labels = labels;
  const userAnnotations = Object.fromEntries(Object.entries(annotations).filter(([key]) => !isReservedKey(key)));
  if (Object.keys(userAnnotations).length > 0) meta.annotations = userAnnotations;
  const managedFields = parseJson(annotations[MANAGED_FIELDS_ANNOTATION]);
  if (Array.isArray(managedFields)) meta.managedFields = managedFields;
  return meta;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
