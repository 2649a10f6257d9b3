import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InFlightRequests } from '../../core/in-flight.ts';
import type { RegistrySnapshot } from '../../core/snapshot.ts';

const snapshot = (name: string) => ({ name }) as unknown as RegistrySnapshot;

describe('InFlightRequests', () => {
  it('drained() resolves at once when no request holds a matching snapshot', async () => {
    const inFlight = new InFlightRequests();
    const [a, b] = [snapshot('a'), snapshot('b')];
    inFlight.enter(b);
    assert.equal(await inFlight.drained((s) => s === a, 10_000), true);
  });

  it('drained() waits for the last request on a matching snapshot', async () => {
    const inFlight = new InFlightRequests();
    const a = snapshot('a');
    const leaves = [inFlight.enter(a), inFlight.enter(a)];
    let done = false;
    const drained = inFlight.drained((s) => s === a, 10_000).then((r) => ((done = true), r));
    leaves[0]!();
    leaves[0]!(); // leaving twice counts once
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false);
    assert.equal(inFlight.size, 1);
    leaves[1]!();
    assert.equal(await drained, true);
  });

  it('drained() gives up after its timeout', async () => {
    const inFlight = new InFlightRequests();
    const a = snapshot('a');
    inFlight.enter(a);
    // The drain timer is unref'd (it must not keep a stopping process alive): hold the loop open.
    const keepAlive = setTimeout(() => {}, 10_000);
    assert.equal(await inFlight.drained(() => true, 10), false);
    clearTimeout(keepAlive);
  });
});
