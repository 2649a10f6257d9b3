/**
 * The shared models every document refers to, written as data with the names kube-openapi
 * gives them (`io.k8s.apimachinery.pkg.apis.meta.v1.*`, `io.k8s.api.autoscaling.v1.Scale`).
 * Fields and types follow k8s.io/apimachinery `pkg/apis/meta/v1/types.go`; descriptions are
 * our own. References use Swagger 2.0 form (`#/definitions/...`); the v3 builder rewrites them.
 * A builder copies only the models its document reaches (`referencedDefinitions`).
 */
import { refTo } from './refs.ts';
import type { Schema } from './types.ts';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const OBJECT_META = `${META}.ObjectMeta`;
export const LIST_META = `${META}.ListMeta`;
export const STATUS = `${META}.Status`;
export const DELETE_OPTIONS = `${META}.DeleteOptions`;
export const PATCH = `${META}.Patch`;
export const WATCH_EVENT = `${META}.WatchEvent`;
export const SCALE = 'io.k8s.api.autoscaling.v1.Scale';
const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

const str = (description: string): Schema => ({ type: 'string', description });
const int = (format: 'int32' | 'int64', description: string): Schema => ({ type: 'integer', format, description });
const bool = (description: string): Schema => ({ type: 'boolean', description });
const ref = (name: string, description: string): Schema => ({ ...refTo(name), description });
const stringMap = (description: string): Schema => ({ type: 'object', additionalProperties: { type: 'string', default: '' }, description });

/** The `apiVersion` and `kind` properties of TypeMeta, which the CRD builder copies onto every kind and list. */
export function typeMetaProperties(): Record<string, Schema> {
  return {
    apiVersion: str('The versioned schema of this representation of an object, as `<group>/<version>`. Servers convert recognised schemas to the latest internal value.'),
    kind: str('The REST resource this object represents, in CamelCase. Servers infer it from the endpoint the client sends to; it cannot be updated.'),
  };
}

const metadataFields: Record<string, Schema> = {
  annotations: stringMap('Unstructured key/value data set by external tools; not queryable.'),
  creationTimestamp: ref(`${META}.Time`, 'When the server created this object. Set by the system; read-only.'),
  deletionGracePeriodSeconds: int('int64', 'Seconds the object is allowed to terminate gracefully before it is removed. Read-only.'),
  deletionTimestamp: ref(`${META}.Time`, 'When this object will be deleted; set by the server when a graceful deletion is requested. Read-only.'),
  finalizers: {
    type: 'array', items: { type: 'string', default: '' },
    description: 'Conditions that must be cleared before the object is removed from the registry.',
    'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge',
  },
  generateName: str('A prefix the server uses to generate a unique name when `name` is not given.'),
  generation: int('int64', 'A sequence number for a specific generation of the desired state. Set by the system; read-only.'),
  labels: stringMap('Key/value pairs used to organise and select objects.'),
  managedFields: {
    type: 'array', items: { ...refTo(`${META}.ManagedFieldsEntry`), default: {} },
    description: 'Which manager owns which fields, maintained by server-side apply. Internal housekeeping; users rarely set it.',
    'x-kubernetes-list-type': 'atomic',
  },
  name: str('Unique within a namespace; required when creating, unless `generateName` is used. Cannot be updated.'),
  namespace: str('The namespace the object lives in; empty for cluster-scoped objects. Cannot be updated.'),
  ownerReferences: {
    type: 'array', items: { ...refTo(`${META}.OwnerReference`), default: {} },
    description: 'Objects this object depends on; when all of them are deleted, this object is garbage collected.',
    'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['uid'],
    'x-kubernetes-patch-merge-key': 'uid', 'x-kubernetes-patch-strategy': 'merge',
  },
  resourceVersion: str('An opaque value that changes whenever the object changes; used for optimistic concurrency and watches. Read-only.'),
  selfLink: str('Deprecated and unused: the system no longer sets it.'),
  uid: str('Unique in time and space for this object; set by the server on creation. Read-only.'),
};

const statusDetailsFields: Record<string, Schema> = {
  causes: {
    type: 'array', items: { ...refTo(`${META}.StatusCause`), default: {} },
    description: 'More detail about the error, such as which fields were invalid.',
    'x-kubernetes-list-type': 'atomic',
  },
  group: str('The group of the resource the status is about.'),
  kind: str('The kind of the resource the status is about.'),
  name: str('The name of the resource the status is about, when there is one.'),
  retryAfterSeconds: int('int32', 'Seconds the client should wait before retrying, when the operation can be retried.'),
  uid: str('The UID of the resource the status is about, when there is one.'),
};

/** Every shared model a kindred document can refer to, keyed by its kube-openapi name. */
export const SHARED_DEFINITIONS: Readonly<Record<string, Schema>> = {
  [OBJECT_META]: {
    type: 'object', properties: metadataFields,
    description: 'Metadata every persisted resource must have, including the objects users create.',
  },
  [LIST_META]: {
    type: 'object',
    description: 'Metadata of a synthetic resource such as a list.',
    properties: {
      continue: str('Set when the list was truncated by `limit`: pass it back to fetch the next page.'),
      remainingItemCount: int('int64', 'How many items follow this page, when the server can tell.'),
      resourceVersion: str("The list's resourceVersion, to start a watch from. Opaque."),
      selfLink: str('Deprecated and unused: the system no longer sets it.'),
    },
  },
  [`${META}.ManagedFieldsEntry`]: {
    type: 'object',
    description: 'The fields one manager owns in one version of the object.',
    properties: {
      apiVersion: str('The version of the resource the fields are described in.'),
      fieldsType: str('The format of `fieldsV1`; only "FieldsV1" exists.'),
      fieldsV1: ref(`${META}.FieldsV1`, 'The set of fields, when `fieldsType` is "FieldsV1".'),
      manager: str('The name of the workflow that manages these fields.'),
      operation: str('What led to this entry: "Apply" or "Update".'),
      subresource: str('The subresource the object was written through, empty for the main resource.'),
      time: ref(`${META}.Time`, 'When these fields were last changed by this manager.'),
    },
  },
  [`${META}.OwnerReference`]: {
    type: 'object',
    description: 'Identifies an object that owns this one. The owner must be in the same namespace, or cluster-scoped.',
    required: ['apiVersion', 'kind', 'name', 'uid'],
    properties: {
      apiVersion: str('API version of the owner.'),
      blockOwnerDeletion: bool('When true, the owner cannot be deleted in the foreground until this reference is removed.'),
      controller: bool('When true, this owner is the managing controller.'),
      kind: str('Kind of the owner.'),
      name: str('Name of the owner.'),
      uid: str('UID of the owner.'),
    },
    'x-kubernetes-map-type': 'atomic',
  },
  [`${META}.Time`]: { type: 'string', format: 'date-time', description: 'A timestamp in RFC 3339 form, to the second.' },
  [`${META}.FieldsV1`]: { type: 'object', description: 'A set of fields as a JSON trie; see sigs.k8s.io/structured-merge-diff.' },
  [STATUS]: {
    type: 'object',
    description: 'The result of an operation that does not return an object.',
    properties: {
      apiVersion: typeMetaProperties()['apiVersion'],
      code: int('int32', 'The HTTP status code, 0 when unset.'),
      details: ref(`${META}.StatusDetails`, 'More data about the reason, depending on it.'),
      kind: typeMetaProperties()['kind'],
      message: str('A human-readable description of the outcome.'),
      metadata: { ...ref(LIST_META, 'Standard list metadata.'), default: {} },
      reason: str('A machine-readable reason, such as NotFound or Conflict; empty when not known.'),
      status: str('"Success" or "Failure".'),
    },
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
  },
  [`${META}.StatusDetails`]: {
    type: 'object', properties: statusDetailsFields,
    description: 'Extra data about a Status, for clients to act on.',
  },
  [`${META}.StatusCause`]: {
    type: 'object',
    description: 'One cause of an error, such as one invalid field.',
    properties: {
      field: str('The field that caused the error, as a JSON path such as `spec.items[0].name`.'),
      message: str('A human-readable description of the cause.'),
      reason: str('A machine-readable description of the cause.'),
    },
  },
  [DELETE_OPTIONS]: {
    type: 'object',
    description: 'Options for a delete request.',
    properties: {
      apiVersion: typeMetaProperties()['apiVersion'],
      dryRun: {
        type: 'array', items: { type: 'string', default: '' },
        description: 'When "All", validate the request but persist nothing.', 'x-kubernetes-list-type': 'atomic',
      },
      gracePeriodSeconds: int('int64', 'Seconds before the object is deleted; 0 means at once.'),
      kind: typeMetaProperties()['kind'],
      orphanDependents: bool('Deprecated: use propagationPolicy. Whether dependents are orphaned.'),
      preconditions: ref(`${META}.Preconditions`, 'Conditions that must hold for the delete to go ahead.'),
      propagationPolicy: str('How garbage collection treats dependents: "Orphan", "Background" or "Foreground".'),
    },
  },
  [`${META}.Preconditions`]: {
    type: 'object',
    description: 'Conditions that must hold before an operation is carried out.',
    properties: {
      resourceVersion: str('The resourceVersion the object must have.'),
      uid: str('The UID the object must have.'),
    },
  },
  [PATCH]: { type: 'object', description: 'The body of a PATCH request: a JSON patch, merge patch or apply configuration.' },
  [WATCH_EVENT]: {
    type: 'object',
    description: 'One event of a watch stream.',
    required: ['type', 'object'],
    properties: {
      object: ref(RAW_EXTENSION, 'The object: for ADDED and MODIFIED its new state, for DELETED its last state, for BOOKMARK only its resourceVersion, for ERROR a Status.'),
      type: str('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
    },
  },
  [RAW_EXTENSION]: { type: 'object', description: 'An embedded object of any kind, carried as raw JSON.' },
  // Scale is not metav1 but every kind with a scale subresource shares it
  // (k8s.io/api `autoscaling/v1/types.go`).
  [SCALE]: {
    type: 'object',
    description: 'The scale subresource of a resource.',
    properties: {
      ...typeMetaProperties(),
      metadata: { ...ref(OBJECT_META, 'Standard object metadata.'), default: {} },
      spec: { ...ref('io.k8s.api.autoscaling.v1.ScaleSpec', 'The desired scale.'), default: {} },
      status: { ...ref('io.k8s.api.autoscaling.v1.ScaleStatus', 'The current scale; may lag behind spec.'), default: {} },
    },
    'x-kubernetes-group-version-kind': [{ group: 'autoscaling', kind: 'Scale', version: 'v1' }],
  },
  'io.k8s.api.autoscaling.v1.ScaleSpec': {
    type: 'object',
    description: 'The desired scale of a resource.',
    properties: { replicas: int('int32', 'The desired number of instances.') },
  },
  'io.k8s.api.autoscaling.v1.ScaleStatus': {
    type: 'object',
    description: 'The current scale of a resource.',
    required: ['replicas'],
    properties: {
      replicas: int('int32', 'The observed number of instances.'),
      selector: str('A label selector, in string form, for the pods counted in replicas.'),
    },
  },
};
