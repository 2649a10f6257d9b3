/**
 * `kindred/plugin`: everything a storage plugin is written against. The contract
 * (core/types: capability interfaces, `definePlugin`, `StoreError`, `CONTRACT_VERSION`) and
 * the watch building blocks any store that mints integer resourceVersions can reuse
 * (lib/watch: an event log with resume and 410, per-client bounded streams, the fan-out,
 * and the synchronous listener a store's watch may offer).
 */
export * from '../core/types/index.ts';
export {
  WatchFanout,
  DEFAULT_MAX_QUEUED_EVENTS,
  DEFAULT_WATCH_WINDOW,
  parseResourceVersion,
  type WatchFanoutOptions,
} from './watch/fanout.ts';
export * from './watch/event-log.ts';
export * from './watch/watch-stream.ts';
export * from './watch/listen.ts';
// Stores that hand out frozen objects get each encoded once (docs/plugins.md); cloneJson
// copies JSON data (int64 bigints too) an order of magnitude faster than structuredClone.
export { deepFreeze } from './store/object-rules.ts';
export { cloneJson } from './json.ts';
