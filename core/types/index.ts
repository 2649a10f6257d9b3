/** The contract for plugin authors, published as `kindred/plugin`. */
export type * from './object.ts';
export type * from './kind.ts';
export type * from './storage.ts';
export {
  ALL_VERBS,
  CONTRACT_VERSION,
  canCreate,
  canDelete,
  canDeleteCollection,
  canGet,
  canList,
  canUpdate,
  canWatch,
  definePlugin,
  verbsOf,
} from './storage.ts';
export { StoreError, isStoreError, checkPreconditions, STALE_OBJECT } from './errors.ts';
export type { StoreErrorReason, StoreErrorCause } from './errors.ts';
