/**
 * The smallest Reflect metadata API that @peculiar/x509 needs.
 *
 * @peculiar/x509 uses tsyringe, which throws at load time unless
 * `Reflect.getMetadata` exists ("tsyringe requires a reflect polyfill"; see the
 * x509 README, "Reflect Polyfill Required"). tsyringe only calls
 * defineMetadata, getMetadata and getOwnMetadata, and only on classes that x509
 * registers itself, so a WeakMap store is enough and we avoid a dependency.
 *
 * Import this module before `@peculiar/x509`. It leaves a real polyfill alone
 * if one is already installed.
 */

type MetadataTarget = object;
type MetadataStore = Map<string | symbol | undefined, Map<unknown, unknown>>;

interface ReflectMetadata {
  defineMetadata(key: unknown, value: unknown, target: MetadataTarget, property?: string | symbol): void;
  getOwnMetadata(key: unknown, target: MetadataTarget, property?: string | symbol): unknown;
  getMetadata(key: unknown, target: MetadataTarget, property?: string | symbol): unknown;
}

const reflect = Reflect as typeof Reflect & Partial<ReflectMetadata>;

if (typeof reflect.getMetadata !== 'function') {
  const stores = new WeakMap<MetadataTarget, MetadataStore>();

  const ownMap = (target: MetadataTarget, property: string | symbol | undefined, create: boolean) => {
    let store = stores.get(target);
    if (!store) {
      if (!create) return undefined;
      store = new Map();
      stores.set(target, store);
    }
    let map = store.get(property);
    if (!map && create) {
      map = new Map();
      store.set(property, map);
    }
    return map;
  };

  const api: ReflectMetadata = {
    defineMetadata(key, value, target, property) {
      ownMap(target, property, true)?.set(key, value);
    },
    getOwnMetadata(key, target, property) {
      return ownMap(target, property, false)?.get(key);
    },
    // Walks the prototype chain, as the reflect-metadata proposal specifies.
    getMetadata(key, target, property) {
      for (let t: MetadataTarget | null = target; t !== null; t = Object.getPrototypeOf(t) as MetadataTarget | null) {
        const map = ownMap(t, property, false);
        if (map?.has(key)) return map.get(key);
      }
      return undefined;
    },
  };
  Object.assign(Reflect, api);
}

export {};
