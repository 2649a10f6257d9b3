/**
 * The Kubernetes client and list-and-watch cache every part of kindred uses, and the
 * machinery for plugins that project a kind onto Kubernetes objects. A plugin
 * author writes a `Projection` (names, labels, the object's body both ways), usually
 * from the mapping helpers, and hands it to `ProjectedStore`; the shared informer cache,
 * read-your-writes, watch resumption, 409s and 503s come with it.
 */
export { ProjectedStore, type Projection, type ProjectedStoreOptions } from './store.ts';
export { acquireCache, collectionPath, sharedClient, runningCaches, DEFAULT_WINDOW_SIZE, type BackingResource } from './shared.ts';
export { ListWatchCache, type CacheNotice, type CacheEvent, type CacheBookmark, type CacheOptions } from './cache.ts';
export { KubeClient, UnreachableError, type KubeTransport, type KubeResponse, type RawWatchEvent } from './client.ts';
export {
  RESERVED_DOMAIN,
  GROUP_LABEL,
  KIND_LABEL,
  MANAGED_FIELDS_ANNOTATION,
  GENERATION_ANNOTATION,
  IDENTITY_SELECTOR,
  backingName,
  kindName,
  identityLabels,
  isProjectionOf,
  isReservedKey,
  storageApiVersion,
  toBackingMetadata,
  fromBackingMetadata,
  type MetadataMapping,
} from './mapping.ts';
