/**
 * Where each verb goes: URL templates with `{name}` and `{namespace}` (each value
 * percent-encoded, so a name cannot change the path), absolute or relative to the collection
 * URL's origin. Defaults, the usual REST layout:
 *
 *   list, create: {url}          get, update, delete: {url}/{name}
 */
import type { HttpOptions } from './options.ts';

export type ItemVerb = 'get' | 'update' | 'delete';

export class Endpoints {
  readonly #url: string;
  readonly #paths: NonNullable<HttpOptions['paths']>;
  readonly #listQuery: Record<string, string>;

  /** `namespaceParam`: the record field a list of one namespace is filtered by, when no listQuery is configured. */
  readonly #changes: string | undefined;

  constructor(options: Pick<HttpOptions, 'url' | 'paths' | 'listQuery' | 'changeEvents'>, namespaceParam: string | undefined) {
    this.#changes = options.changeEvents;
    this.#url = options.url.replace(/\/+$/, '');
    this.#paths = options.paths ?? {};
    this.#listQuery = options.listQuery ?? (namespaceParam ? { [namespaceParam]: '{namespace}' } : {});
    // Fail at load, not at the first request: every template must expand to a URL.
    for (const template of [this.#url, ...Object.values(this.#paths), ...(this.#changes ? [this.#changes] : [])]) this.#expand(template, { name: 'x', namespace: 'y' });
  }

  /** True when the namespace is part of the URL rather than of the record. */
  get namespaceInUrl(): boolean {
    return this.#url.includes('{namespace}');
  }

  list(namespace: string | undefined): URL {
    const url = this.#expand(this.#paths.list ?? this.#url, { namespace });
    for (const [param, template] of Object.entries(this.#listQuery)) {
      // A parameter about the namespace is left out of a list across namespaces.
      if (template.includes('{namespace}') && namespace === undefined) continue;
      url.searchParams.set(param, fill(template, { namespace }, false));
    }
    return url;
  }

  /** The change events stream, when the service has one. */
  changes(): URL | undefined {
    return this.#changes === undefined ? undefined : this.#expand(this.#changes, {});
  }

  create(namespace: string | undefined): URL {
    return this.#expand(this.#paths.create ?? this.#url, { namespace });
  }

  item(verb: ItemVerb, namespace: string | undefined, name: string): URL {
    const template = this.#paths[verb] ?? this.#paths.get ?? `${this.#url}/{name}`;
    return this.#expand(template, { namespace, name });
  }

  #expand(template: string, values: { name?: string | undefined; namespace?: string | undefined }): URL {
    const base = new URL(fill(this.#url, { namespace: values.namespace ?? 'namespace' }, true));
    return new URL(fill(template, values, true), base);
  }
}

function fill(template: string, values: { name?: string | undefined; namespace?: string | undefined }, encode: boolean): string {
  return template.replace(/\{(name|namespace)\}/g, (_match, key: 'name' | 'namespace') => {
    const value = values[key] ?? '';
    return encode ? encodeURIComponent(value) : value;
  });
}
