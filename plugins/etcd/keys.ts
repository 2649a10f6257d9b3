/**
 * Where a kind's objects live in etcd, as kube-apiserver lays out its own under `/registry`:
 *
 *   <prefix>/<group>/<plural>/<namespace>/<name>    namespaced
 *   <prefix>/<group>/<plural>/<name>                cluster-scoped
 *
 * Namespaces and names are DNS labels and subdomains, so neither holds a slash, and a
 * trailing slash on every range keeps `widgets` from matching `widgetsets`.
 */
import type { KindDefinition } from '../../core/types/kind.ts';

export class KeyLayout {
  /** `<prefix>/<group>/<plural>/`, the range every object of the kind is in. */
  readonly kindPrefix: string;
  readonly #namespaced: boolean;

  constructor(prefix: string, kind: KindDefinition) {
    this.kindPrefix = `${prefix.replace(/\/+$/, '')}/${kind.group}/${kind.names.plural}/`;
    this.#namespaced = kind.scope !== 'Cluster';
  }

  /** The key of one object; the namespace is ignored for cluster-scoped kinds. */
  object(namespace: string | undefined, name: string): Buffer {
    return Buffer.from(this.#namespaced ? `${this.kindPrefix}${namespace ?? ''}/${name}` : `${this.kindPrefix}${name}`);
  }

  /** The namespace and name a key of this kind stands for; undefined for a key of another shape. */
  parse(key: Buffer): { namespace: string | undefined; name: string } | undefined {
    const text = key.toString();
    if (!text.startsWith(this.kindPrefix)) return undefined;
    const parts = text.slice(this.kindPrefix.length).split('/');
    if (this.#namespaced) return parts.length === 2 && parts[0] && parts[1] ? { namespace: parts[0], name: parts[1] } : undefined;
    return parts.length === 1 && parts[0] ? { namespace: undefined, name: parts[0] } : undefined;
  }

  /** The range [key, rangeEnd) of one namespace, or of the whole kind when undefined. */
  range(namespace: string | undefined): { key: Buffer; range_end: Buffer } {
    const start = this.#namespaced && namespace !== undefined ? `${this.kindPrefix}${namespace}/` : this.kindPrefix;
    const key = Buffer.from(start);
    return { key, range_end: prefixEnd(key) };
  }
}

/** The first key after every key that starts with `prefix` (etcd's clientv3.GetPrefixRangeEnd). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff: to the end of the keyspace.
  return Buffer.from([0]);
}
