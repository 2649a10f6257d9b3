/**
 * `kindred/plugin/testing`: the store conformance kit for plugin authors. Import it from a
 * node:test file (JavaScript or TypeScript); it uses node:test and node:assert itself.
 */
export { storeConformance, type ConformanceOptions } from './conformance.ts';
export type { ConformanceFixture } from './harness.ts';
export { testKind, testPluginContext } from './fixtures.ts';
export {
  REVISION,
  defaultObject,
  deletion,
  ended,
  openWatch,
  rejectsWith,
  request,
  revised,
  revisionOf,
  summary,
  take,
  write,
  type FullStorage,
} from './helpers.ts';
