/**
 * Object metadata rules every kind shares, whatever its store: validation of names and
 * labels (apimachinery `pkg/api/validation/objectmeta.go`), and what the server fills in
 * or keeps on create and update (k8s.io/apiserver `pkg/registry/rest/{create,update}.go`,
 * apiextensions-apiserver `pkg/registry/customresource/strategy.go`).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectMeta } from './types/object.ts';
import type { FieldError } from './field-errors.ts';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN, DNS1123_SUBDOMAIN_FORMAT, DNS1123_SUBDOMAIN_MESSAGE, DNS_LABEL_MAX_LENGTH } from '../lib/dns.ts';

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const subdomainMessage = `${DNS1123_SUBDOMAIN_MESSAGE} (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN_FORMAT}')`;

/** Problems with a DNS-1123 subdomain (object names), as messages. */
export function subdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(value)) errors.push(subdomainMessage);
  return errors;
}

/** Problems with a DNS-1123 label (namespace names: apimachinery ValidateNamespaceName), as messages. */
export function labelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS_LABEL_MAX_LENGTH) errors.push(`must be no more than ${DNS_LABEL_MAX_LENGTH} characters`);
  if (!DNS1123_LABEL.test(value)) {
    errors.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return errors;
}

function qualifiedNameErrors(key: string): string[] {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
  const errors: string[] = [];
  if (prefix !== undefined && subdomainErrors(prefix).length > 0) errors.push('prefix part ' + subdomainMessage);
  if (name.length === 0) errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push('name part must be no more than 63 characters');
  else if (!QUALIFIED_NAME.test(name)) {
    errors.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  return errors;
}

function stringMap(meta: ObjectMeta, key: 'labels' | 'annotations', errors: FieldError[]): Record<string, string> {
  const value = meta[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    errors.push({ type: 'Invalid', field: `metadata.${key}`, value, detail: 'must be a map of string keys to string values' });
    return {};
  }
  return value;
}

/** Validates the metadata a client may set. `nameRequired` is false while generateName is pending. */
export function validateObjectMeta(object: KubeObject, options: { namespaced: boolean }): FieldError[] {
  const errors: FieldError[] = [];
  const meta = object.metadata;
  const name = meta.name;
  if (!name) {
    errors.push({ type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' });
  } else {
    for (const message of subdomainErrors(name)) errors.push({ type: 'Invalid', field: 'metadata.name', value: name, detail: message });
  }
  if (options.namespaced && !meta.namespace) {
    errors.push({ type: 'Required', field: 'metadata.namespace' });
  } else if (options.namespaced) {
    // Standalone kindred has no Namespace objects to refuse a missing one: the name must at least be one.
    for (const message of labelErrors(meta.namespace!)) errors.push({ type: 'Invalid', field: 'metadata.namespace', value: meta.namespace, detail: message });
  } else if (!options.namespaced && meta.namespace) {
    errors.push({ type: 'Forbidden', field: 'metadata.namespace', detail: 'not allowed on this type' });
  }
  for (const [key, value] of Object.entries(stringMap(meta, 'labels', errors))) {
    for (const message of qualifiedNameErrors(key)) errors.push({ type: 'Invalid', field: 'metadata.labels', value: key, detail: message });
    if (value.length > 63 || !LABEL_VALUE.test(value)) {
      errors.push({
        type: 'Invalid',
        field: 'metadata.labels',
        value,
        detail:
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      });
    }
  }
  const annotations = stringMap(meta, 'annotations', errors);
  for (const key of Object.keys(annotations)) {
    for (const message of qualifiedNameErrors(key.toLowerCase())) {
      errors.push({ type: 'Invalid', field: 'metadata.annotations', value: key, detail: message });
    }
  }
  const annotationBytes = Object.entries(annotations).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (annotationBytes > 256 * 1024) {
    errors.push({ type: 'TooLong', field: 'metadata.annotations', detail: 'may not be more than 262144 bytes' });
  }
  if (meta.finalizers !== undefined && (!Array.isArray(meta.finalizers) || meta.finalizers.some((f) => typeof f !== 'string'))) {
    errors.push({ type: 'Invalid', field: 'metadata.finalizers', value: meta.finalizers, detail: 'must be a list of strings' });
  }
  return errors;
}

/** RFC 3339 at second precision, as metav1.Time serialises. */
export function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// generateName: the prefix cut to 58 characters plus 5 of these (apiserver `pkg/storage/names/generate.go`).
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return prefix.slice(0, 58) + suffix;
}

/** Fills in what the server owns on create; client values for those fields are dropped. */
export function prepareForCreate(object: KubeObject, now: Date, hasStatusSubresource: boolean): KubeObject {
  const meta: ObjectMeta = { ...object.metadata };
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
  meta.uid = randomUUID();
  meta.creationTimestamp = timestamp(now);
  meta.generation = 1;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  const prepared: KubeObject = { ...object, metadata: meta };
  // With a status subresource, status is written only through /status.
  if (hasStatusSubresource) delete prepared.status;
  return prepared;
}

/** Everything but metadata (and status, when it has its own subresource): what moves generation. */
function specOf(object: KubeObject, hasStatusSubresource: boolean): Record<string, unknown> {
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = object;
  if (hasStatusSubresource) delete rest.status;
  return rest;
}

/**
 * Merges an update of the main resource onto the stored object: server-owned metadata is
 * kept, status is kept when it has its own subresource, and generation moves only when
 * the spec changed.
 */
export function prepareForUpdate(stored: KubeObject, incoming: KubeObject, hasStatusSubresource: boolean): KubeObject {
  const meta: ObjectMeta = {
    ...incoming.metadata,
    name: stored.metadata.name,
    uid: stored.metadata.uid,
    creationTimestamp: stored.metadata.creationTimestamp,
    generation: stored.metadata.generation ?? 1,
  };
  if (stored.metadata.namespace !== undefined) meta.namespace = stored.metadata.namespace;
  if (stored.metadata.deletionTimestamp !== undefined) {
    meta.deletionTimestamp = stored.metadata.deletionTimestamp;
    meta.deletionGracePeriodSeconds = stored.metadata.deletionGracePeriodSeconds ?? 0;
  } else {
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
  }
  delete meta.generateName;
  if (stored.metadata.generateName !== undefined) meta.generateName = stored.metadata.generateName;
  const updated: KubeObject = { ...incoming, metadata: meta };
  if (hasStatusSubresource) {
    if (stored.status === undefined) delete updated.status;
    else updated.status = stored.status;
  }
  if (!isDeepStrictEqual(specOf(stored, hasStatusSubresource), specOf(updated, hasStatusSubresource))) {
    meta.generation = (stored.metadata.generation ?? 1) + 1;
  }
  return updated;
}

/** A write to /status changes status only: everything else is the stored object's (status_strategy.go). */
export function prepareForStatusUpdate(stored: KubeObject, incoming: KubeObject): KubeObject {
  const updated: KubeObject = structuredClone(stored);
  if (incoming.status === undefined) delete updated.status;
  else updated.status = incoming.status;
  if (incoming.metadata.resourceVersion !== undefined) updated.metadata.resourceVersion = incoming.metadata.resourceVersion;
  return updated;
}
