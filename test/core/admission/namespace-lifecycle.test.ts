import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { NamespaceLifecycle } from '../../../core/admission/namespace-lifecycle.ts';
import type { ApiWatchEvent } from '../../../core/auth/kube-api.ts';
import { StatusError } from '../../../core/status.ts';

const ns = (name: string, terminating = false) => ({
  metadata: { name, ...(terminating ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
  status: { phase: terminating ? 'Terminating' : 'Active' },
});

/** A kube-apiserver stand-in for the reflector: one list, then a watch fed by `emit`. */
function fakeApi(listed: ReturnType<typeof ns>[], live: Record<string, ReturnType<typeof ns>> = {}) {
  const gets: string[] = [];
  let emit: (e: ApiWatchEvent) => void = () => {};
  const queue: ApiWatchEvent[] = [];
  let wake: () => void = () => {};
  emit = (e) => (queue.push(e), wake());
  const api = {
    async request(method: string, path: string) {
      if (path.startsWith('/api/v1/namespaces?') || path === '/api/v1/namespaces') return { status: 200, body: { metadata: { resourceVersion: '1' }, items: listed } };
      const name = decodeURIComponent(path.split('/').pop() ?? '');
      gets.push(name);
      return live[name] ? { status: 200, body: live[name] } : { status: 404, body: {} };
    },
    async *watch(_path: string, signal: AbortSignal): AsyncGenerator<ApiWatchEvent> {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next) yield next;
        else await new Promise<void>((r) => ((wake = r), signal.addEventListener('abort', () => r(), { once: true })));
      }
    },
  };
  return { api, gets, emit: (e: ApiWatchEvent) => emit(e) };
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
    const lifecycle = new NamespaceLifecycle(fake.api);
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
    fake.emit({ type: 'MODIFIED', object: ns('team-a', true) });
    await new Promise((r) => setTimeout(r, 10));
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
    fake.emit({ type: 'DELETED', object: ns('gone') });
    await new Promise((r) => setTimeout(r, 10));
    assert.equal((await refusal(lifecycle.admitCreate('gone'))).code, 404);
  });
});
