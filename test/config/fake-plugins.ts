/**
 * Stand-in storage plugins for config tests: only their names and options schemas matter,
 * so the tests do not depend on the real plugins.
 */
import { CONTRACT_VERSION, type StoragePlugin } from '../../core/types/storage.ts';
import type { ResolvePlugin } from '../../config/index.ts';
import { helmReleaseOptionsSchema } from '../../plugins/helmrelease/options.ts';
import { secretOptionsSchema } from '../../plugins/secret/projection.ts';
import { httpOptionsSchema } from '../../plugins/http/options.ts';
import { etcdOptionsSchema } from '../../plugins/etcd/options.ts';

function fakePlugin(name: string, optionsSchema: Record<string, unknown>): StoragePlugin {
  return {
    contractVersion: CONTRACT_VERSION,
    name,
    optionsSchema,
    create: () => Promise.reject(new Error(`${name}: a fake plugin creates no stores`)),
  };
}

const plugins = new Map<string, StoragePlugin>([
  [
    'memory',
    fakePlugin('memory', {
      type: 'object',
      additionalProperties: false,
      properties: { watchWindow: { type: 'integer', minimum: 1 } },
    }),
  ],
  // The default backend: no options.
  ['embedded', fakePlugin('embedded', { type: 'object', additionalProperties: false, properties: { watchWindow: { type: 'integer', minimum: 1 } } })],
  // The real options schemas, so config/examples/platform.yaml is checked against them.
  ['helmrelease', fakePlugin('helmrelease', helmReleaseOptionsSchema)],
  ['secret', fakePlugin('secret', secretOptionsSchema)],
  ['http', fakePlugin('http', httpOptionsSchema)],
  ['etcd', fakePlugin('etcd', etcdOptionsSchema)],
  // Declares a default, to show that checked options come back completed.
  ['defaulted', fakePlugin('defaulted', { type: 'object', properties: { ttl: { type: 'integer', default: 60 } } })],
  // A plugin bug: its options schema does not compile.
  ['broken', fakePlugin('broken', { type: 'object', properties: { x: { type: 'no-such-type' } } })],
]);

/** Knows `embedded` (options: watchWindow ≥ 1), `memory` (options: watchWindow ≥ 1), `helmrelease`, `secret`, `http`, `etcd`, `defaulted` and `broken`. */
export const resolvePlugin: ResolvePlugin = (name) => plugins.get(name);
