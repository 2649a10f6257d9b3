/**
 * The store conformance suite: what every Storage must do, whatever its backend (the rules
 * in core/types/storage.ts). A plugin's test file calls it from node:test with a factory
 * that makes a fresh store for a kind of the scope asked for:
 *
 *   import { storeConformance, testKind, testPluginContext } from 'kindred/plugin/testing';
 *   storeConformance('mine', async (scope) => {
 *     const kind = testKind(scope);
 *     return { store: await plugin.create(kind, {}, testPluginContext()), kind };
 *   });
 *
 * It runs once per scope (Namespaced and Cluster unless `scopes` says otherwise). Every test
 * gets a fresh store and closes it afterwards. A test that needs a verb the store does not
 * serve (`verbsOf`) is skipped, so a read-only store runs the rest. Selectors are not tested:
 * core evaluates them again whatever the store does.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe } from 'node:test';
import type { Scope } from '../../core/types/kind.ts';
import { toHarness, type ConformanceFixture, type Harness } from './harness.ts';
import { crudConformance } from './crud.ts';
import { watchConformance } from './watch.ts';
import { concurrencyConformance } from './concurrency.ts';

export interface ConformanceOptions {
  /** The scopes the store supports. Default both. */
  scopes?: readonly Scope[];
}

export function storeConformance(
  name: string,
  makeStore: (scope: Scope) => Promise<ConformanceFixture>,
  options: ConformanceOptions = {},
): void {
  for (const scope of options.scopes ?? (['Namespaced', 'Cluster'] as const)) {
    describe(`${name} store conformance (${scope})`, () => {
      let harness: Harness | undefined;
      const h = (): Harness => {
        assert.ok(harness, 'beforeEach did not make a store');
        return harness;
      };

      beforeEach(async () => {
        const fixture = await makeStore(scope);
        assert.equal(fixture.kind.scope, scope, `the factory was asked for a ${scope} kind`);
        harness = toHarness(fixture);
      });
      afterEach(async () => {
        await harness?.store.close();
        harness = undefined;
      });

      crudConformance(h);
      watchConformance(h);
      concurrencyConformance(h);
    });
  }
}
