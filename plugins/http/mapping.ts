/**
 * A service record ↔ a Kubernetes object, both ways, by the JSON pointers of the `fields`
 * option. With the defaults:
 *
 *   {id: "eu", namespace: "ops", metadata: {labels: {...}}, status: {ready: true}, region: "eu-1"}
 *   ↔ {metadata: {name: "eu", namespace: "ops", labels: {...}}, status: {ready: true}, spec: {region: "eu-1"}}
 *
 * The metadata field keeps every ObjectMeta field except name, namespace and resourceVersion
 * (labels, annotations, and what core sets: uid, creationTimestamp, generation,
 * managedFields), so an object reads back as it was written. A record made outside kindred
 * has no metadata field: its uid is derived from its identity (stable across reads and
 * restarts) and it has no creationTimestamp.
 */
import { createHash } from 'node:crypto';
import { StoreError } from '../../core/types/errors.ts';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { KubeObject, ObjectMeta } from '../../core/types/object.ts';
import { getAt, isObject, parsePointer, removeAt, setAt, withoutAt, type JsonObject } from './pointer.ts';
import { cloneJson } from '../../lib/json.ts';

export interface FieldPointers {
  name: string;
  namespace: string;
  status: string;
  metadata: string;
  spec?: string | undefined;
  version?: string | undefined;
}

export const DEFAULT_FIELDS: FieldPointers = { name: '/id', namespace: '/namespace', status: '/status', metadata: '/metadata' };

export class RecordMapping {
  readonly #kind: KindDefinition;
  readonly #apiVersion: string;
  readonly #name: string[];
  /** Undefined when the namespace is not in the record (cluster-scoped, or `{namespace}` in the url). */
  readonly #namespace: string[] | undefined;
  readonly #status: string[];
  readonly #metadata: string[];
  readonly #spec: string[] | undefined;
  readonly #version: string[] | undefined;

  constructor(kind: KindDefinition, fields: FieldPointers, namespaceInRecord: boolean) {
    this.#kind = kind;
    const version = kind.versions.find((v) => v.storage) ?? kind.versions[0];
    this.#apiVersion = `${kind.group}/${version?.name ?? 'v1'}`;
    this.#name = parsePointer(fields.name);
    this.#namespace = kind.scope === 'Namespaced' && namespaceInRecord ? parsePointer(fields.namespace) : undefined;
    this.#status = parsePointer(fields.status);
    this.#metadata = parsePointer(fields.metadata);
    this.#spec = fields.spec === undefined ? undefined : parsePointer(fields.spec);
    this.#version = fields.version === undefined ? undefined : parsePointer(fields.version);
    for (const tokens of [this.#name, this.#status, this.#metadata, this.#namespace, this.#spec, this.#version]) {
      if (tokens?.length === 0) throw new Error('a field pointer cannot be the whole record ("")');
    }
  }

  /** The record's name, or undefined when it has none a Kubernetes name could be. */
  nameOf(record: unknown): string | undefined {
    const value = getAt(record, this.#name);
    const name = typeof value === 'number' ? String(value) : value;
    return typeof name === 'string' && name !== '' ? name : undefined;
  }

  /** The record's namespace when the record holds it (else the url's, passed by the caller). */
  namespaceOf(record: unknown, fromUrl: string | undefined): string | undefined {
    if (this.#kind.scope === 'Cluster') return undefined;
    if (!this.#namespace) return fromUrl;
    const value = getAt(record, this.#namespace);
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  /** What identifies a version of the record: its version field, else a hash of its content. */
  tokenOf(record: JsonObject): string {
    if (this.#version) {
      const value = getAt(record, this.#version);
      if (value !== undefined && value !== null) return `v:${JSON.stringify(value)}`;
    }
    return `h:${createHash('sha256').update(canonicalJson(record)).digest('base64url')}`;
  }

  /**
   * The object a record stands for, without a resourceVersion; undefined when the record has
   * no usable name or namespace. The object shares parts with `record` (no copy: lists are
   * large): neither may be changed afterwards.
   */
  toObject(record: unknown, namespaceFromUrl?: string): KubeObject | undefined {
    if (!isObject(record)) return undefined;
    const name = this.nameOf(record);
    const namespace = this.namespaceOf(record, namespaceFromUrl);
    if (name === undefined || (this.#kind.scope === 'Namespaced' && namespace === undefined)) return undefined;
    const stored = getAt(record, this.#metadata);
    const metadata: ObjectMeta = isObject(stored) ? { ...stored } : {};
    delete metadata.resourceVersion;
    metadata.name = name;
    if (namespace === undefined) delete metadata.namespace;
    else metadata.namespace = namespace;
    metadata.uid ??= derivedUid(this.#kind, namespace, name);
    const status = getAt(record, this.#status);
    const object: KubeObject = { apiVersion: this.#apiVersion, kind: this.#kind.names.kind, metadata: orderMeta(metadata), spec: this.#specOf(record) };
    if (isObject(status)) object.status = status;
    return object;
  }

  /**
   * The record to write for `object`. `current` is the record as the service holds it now
   * (on update): with a `spec` pointer, fields kindred does not map are kept from it, and the
   * version field is always carried over, so the service can check it.
   */
  toRecord(object: KubeObject, current?: JsonObject): JsonObject {
    const spec = object.spec ?? {};
    if (!isObject(spec)) throw invalid('spec', 'must be an object');
    let record: JsonObject;
    if (this.#spec) {
      record = current ? cloneJson(current) : {};
      setAt(record, this.#spec, cloneJson(spec));
    } else {
      for (const key of Object.keys(spec)) {
        if (this.#reserved().has(key)) throw invalid(`spec.${key}`, `is a field the service record uses for ${this.#reserved().get(key)}`);
      }
      record = cloneJson(spec);
    }
    if (this.#version && current) {
      const version = getAt(current, this.#version);
      if (version !== undefined) setAt(record, this.#version, version);
    }
    setAt(record, this.#name, object.metadata.name);
    if (this.#namespace) setAt(record, this.#namespace, object.metadata.namespace);
    const { name: _n, namespace: _ns, resourceVersion: _rv, ...kept } = object.metadata;
    if (Object.keys(kept).length > 0) setAt(record, this.#metadata, cloneJson(kept));
    else removeAt(record, this.#metadata);
    if (isObject(object.status)) setAt(record, this.#status, cloneJson(object.status));
    else removeAt(record, this.#status);
    return record;
  }

  #specOf(record: JsonObject): JsonObject {
    if (this.#spec) {
      const spec = getAt(record, this.#spec);
      return isObject(spec) ? spec : {};
    }
    const removed = [this.#name, this.#namespace, this.#metadata, this.#version].filter((tokens) => tokens !== undefined);
    if (isObject(getAt(record, this.#status))) removed.push(this.#status);
    if (removed.every((tokens) => tokens.length === 1)) {
      // The usual case, top-level fields: one shallow copy.
      const spec = { ...record };
      for (const [key] of removed) delete spec[key as string];
      return spec;
    }
    return removed.reduce((spec, tokens) => withoutAt(spec, tokens), record);
  }

  /** Top-level record fields that spec keys may not use when spec is "the rest of the record". */
  #reserved(): Map<string, string> {
    const reserved = new Map<string, string>();
    const add = (tokens: string[] | undefined, what: string) => tokens?.[0] !== undefined && reserved.set(tokens[0], what);
    add(this.#name, 'the name');
    add(this.#namespace, 'the namespace');
    add(this.#metadata, 'labels and annotations');
    add(this.#status, 'the status');
    add(this.#version, 'its version');
    return reserved;
  }
}

/** JSON with object keys sorted, so two equal records hash alike whatever order the service sent. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A UUID-shaped id from the object's identity: stable, so a record made outside kindred keeps its uid. */
function derivedUid(kind: KindDefinition, namespace: string | undefined, name: string): string {
  const hex = createHash('sha256').update(`${kind.group}/${kind.names.plural}/${namespace ?? ''}/${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** name and namespace first, as kube-apiserver writes them: easier to read in -o yaml. */
function orderMeta(metadata: ObjectMeta): ObjectMeta {
  const { name, namespace, ...rest } = metadata;
  return { name, ...(namespace === undefined ? {} : { namespace }), ...rest };
}

function invalid(field: string, message: string): StoreError {
  return new StoreError('Invalid', `${field}: ${message}`, { causes: [{ reason: 'FieldValueInvalid', message, field }] });
}
