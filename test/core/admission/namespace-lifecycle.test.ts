import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { NamespaceLifecycle } from '../../../core/admission/namespace-lifecycle.ts';
import type { KubeTransport, RawWatchEvent } from '../../../lib/kube/client.ts';
import { StatusError } from '../../../core/status.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

let revision = 1;
const ns = (name: string, terminating = false) => ({
  metadata: { name, resourceVersion: String(++revision), ...(terminating ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
  status: { phase: terminating ? 'Terminating' : 'Active' },
});

/**
 * A kube-apiserver stand-in for the list-and-watch cache: one list, then a watch fed by
 * `emit`, which resolves once the cache has taken the event (asked for the next one).
 */
function fakeApi(listed: ReturnType<typeof ns>[], live: Record<string, ReturnType<typeof ns>> = {}) {
  const gets: string[] = [];
  const queue: { event: RawWatchEvent; taken: () => void }[] = [];
  let wake: () => void = () => {};
  const api: KubeTransport = {
    async request(_method: string, path: string) {
      if (path === '/api/v1/namespaces') return { status: 200, body: { metadata: { resourceVersion: String(revision) }, items: listed } };
      const name = decodeURIComponent(path.split('/').pop() ?? '');
      gets.push(name);
      return live[name] ? { status: 200, body: live[name] } : { status: 404, body: {} };
    },
    async watch(_path: string, _query: unknown, signal: AbortSignal) {
      async function* events(): AsyncGenerator<RawWatchEvent> {
        while (!signal.aborted) {
          const next = queue.shift();
          if (next) {
            yield next.event;
            next.taken();
          } else {
            await new Promise<void>((r) => ((wake = r), signal.addEventListener('abort', () => r(), { once: true })));
          }
        }
      }
      return { events: events() };
    },
  };
  const emit = (event: RawWatchEvent) =>
    new Promise<void>((taken) => {
      queue.push({ event, taken });
      wake();
    });
  return { api, gets, emit };
}

async function refusal(promise: Promise<void>): Promise<StatusError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StatusError) return error;
    throw error;
  }
  assert.fail('expected a refusal');
}

describe('NamespaceLifecycle', () => {
  const started: NamespaceLifecycle[] = [];
  after(async () => Promise.all(started.map((l) => l.stop())));
  const start = async (fake: ReturnType<typeof fakeApi>) => {
    const lifecycle = new NamespaceLifecycle(fake.api, silent);
    started.push(lifecycle);
    assert.equal(await lifecycle.start(1000), true);
    return lifecycle;
  };

  it('admits creates in an active namespace from the cache, without a request', async () => {
    const fake = fakeApi([ns('team-a')]);
    await (await start(fake)).admitCreate('team-a');
    assert.deepEqual(fake.gets, []);
  });

  it('refuses creates in a terminating namespace with 403 NamespaceTerminating', async () => {
    const fake = fakeApi([ns('team-a')]);
    const lifecycle = await start(fake);
    await fake.emit({ type: 'MODIFIED', object: ns('team-a', true) });
    const error = await refusal(lifecycle.admitCreate('team-a'));
    assert.equal(error.code, 403);
    assert.match(error.message, /unable to create new content in namespace team-a because it is being terminated/);
    assert.equal(error.status.details?.causes?.[0]?.reason, 'NamespaceTerminating');
  });

  it('refuses creates in a missing namespace with 404, after one live lookup', async () => {
    const fake = fakeApi([]);
    const error = await refusal((await start(fake)).admitCreate('nowhere'));
    assert.equal(error.code, 404);
    assert.equal(error.message, 'namespaces "nowhere" not found');
    assert.deepEqual(fake.gets, ['nowhere']);
  });

  it('admits a namespace created a moment ago that the cache has not seen yet', async () => {
    const fake = fakeApi([], { fresh: ns('fresh') });
    await (await start(fake)).admitCreate('fresh');
    assert.deepEqual(fake.gets, ['fresh']);
  });

  it('forgets a deleted namespace', async () => {
    const fake = fakeApi([ns('gone')]);
    const lifecycle = await start(fake);
    await fake.emit({ type: 'DELETED', object: ns('gone') });
    assert.equal((await refusal(lifecycle.admitCreate('gone'))).code, 404);
  });
});
