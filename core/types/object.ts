/** The wire shapes of Kubernetes objects as kindred handles them: plain JSON. */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.ObjectMeta, the fields core reads or writes; anything else is carried as is. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

/** Any object of a served kind. `apiVersion` and `kind` are always set on what core returns. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** One page of a list, as a store returns it. Core adds kind, apiVersion and paging. */
export interface ObjectList {
  items: KubeObject[];
  /** The store's resourceVersion at the moment the list was read. */
  resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
  /**
   * The object as it was before this event, when the store knows it (MODIFIED, DELETED).
   * Core uses it to turn a change into ADDED or DELETED for a watch whose selector the
   * object starts or stops matching, as kube-apiserver's watch cache does.
   */
  previous?: KubeObject;
}
