/**
 * Hot reload, as a platform team sees it: the config changes under a running kindred and
 * kubectl sees the new API at once; clients of kinds that stay notice nothing.
 * Every wait polls for the visible effect, with a generous deadline; nothing sleeps.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { credentialsFromKubeconfig, httpRequest, httpWatch, type Credentials } from '../support/http.ts';
import { requireKubectl } from '../support/tools.ts';
import { configYaml, type KindSpec } from '../app/reload/fixtures.ts';
import { eventually } from '../support/eventually.ts';

const version = '1.33';
const GROUP = 'reload.example.com';
const gadgets = `/apis/${GROUP}/v1/namespaces/default/gadgets`;
const GADGET: KindSpec = { kind: 'Gadget', columns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }] };


const object = (kind: string, name: string, spec: Record<string, unknown> = { size: 1 }) =>
  JSON.stringify({ apiVersion: `${GROUP}/v1`, kind, metadata: { name, namespace: 'default' }, spec });

describe(`hot reload with kubectl ${version}`, requireKubectl(version), () => {
  let k: TestKindred;
  let creds: Credentials;
  const kubectl = (...args: string[]) => k.kubectl(version, args);
  const ok = async (...args: string[]) => {
    const r = await kubectl(...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const call = (method: string, path: string, body?: string) =>
    httpRequest(k.url, method, path, { credentials: creds, ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}) });
  let served = configYaml(GADGET);
  /**
   * Writes the config and waits until kindred serves it (a config of a different hash). Each
   * test starts by serving what it needs, so none depends on what an earlier one left.
   */
  const reloadTo = async (...kinds: KindSpec[]) => {
    const text = configYaml(...kinds);
    if (text === served) return;
    const before = k.running.reloader.generation?.hash;
    await k.writeConfig(text);
    served = text;
    await eventually('the reload', async () => (k.running.reloader.generation?.hash !== before ? true : undefined));
  };
  /** Creates an object unless it exists (an earlier test may have made it). */
  const ensure = async (kind: string, plural: string, name: string) => {
    const r = await call('POST', `/apis/${GROUP}/v1/namespaces/default/${plural}`, object(kind, name));
    assert.ok(r.status === 201 || r.status === 409, `${r.status} ${r.text}`);
  };

  before(async () => {
    k = await startTestKindred(configYaml(GADGET), { debounceMs: 20 });
    creds = credentialsFromKubeconfig(k.kubeconfigPath);
  });
  after(async () => {
    await k?.stop();
  });

  it('serves a kind added to the config: api-resources lists it, create and get work', async () => {
    await reloadTo(GADGET);
    await ok('get', 'gadgets'); // fills kubectl's discovery cache with the old kinds
    await k.writeConfig((served = configYaml(GADGET, { kind: 'Widget' })));
    await eventually('widgets in api-resources', async () => ((await ok('api-resources')).match(/^widgets\s+reload\.example\.com\/v1\s+true\s+Widget$/m) ? true : undefined));
    const r = await k.kubectl(version, ['create', '-f', '-'], { input: object('Widget', 'w1') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(await ok('get', 'widgets', 'w1'), /^w1\s+\d+s$/m);
  });

  it('shows changed printer columns', async () => {
    await reloadTo(GADGET, { kind: 'Widget', columns: [{ name: 'Units', type: 'integer', jsonPath: '.spec.size' }] });
    await ensure('Widget', 'widgets', 'w1');
    const out = await ok('get', 'widgets', 'w1');
    assert.match(out, /^NAME\s+UNITS\s+AGE$/m);
    assert.match(out, /^w1\s+1\s+\d+s$/m);
  });

  it('publishes a tightened schema in OpenAPI (kubectl explain)', async () => {
    await reloadTo(GADGET, { kind: 'Widget', specProperties: '{size: {type: integer, maximum: 3, description: "At most three."}}' });
    await eventually('the new field description', async () => ((await ok('explain', 'widgets.spec.size')).includes('At most three.') ? true : undefined));
  });

  it('rejects a create that the tightened schema no longer allows', async () => {
    await reloadTo(GADGET, { kind: 'Widget', specProperties: '{size: {type: integer, maximum: 3, description: "At most three."}}' });
    const r = await k.kubectl(version, ['create', '-f', '-'], { input: object('Widget', 'too-big', { size: 9 }) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.size: Invalid value: 9: spec\.size in body should be less than or equal to 3/);
  });

  it('ratchets: an object that predates the tightened schema can still be labelled, but not changed further out of bounds', async () => {
    const loose = { kind: 'Widget', specProperties: '{size: {type: integer}}' };
    const tight = { kind: 'Widget', specProperties: '{size: {type: integer, maximum: 3}}' };
    await reloadTo(GADGET, loose);
    const created = await k.kubectl(version, ['create', '-f', '-'], { input: object('Widget', 'legacy', { size: 9 }) });
    assert.equal(created.code, 0, created.stderr);
    await reloadTo(GADGET, tight);
    await ok('label', 'widgets', 'legacy', 'team=a');
    const changed = await kubectl('patch', 'widgets', 'legacy', '--type=merge', '-p', '{"spec":{"size":8}}');
    assert.notEqual(changed.code, 0);
    assert.match(changed.stderr, /spec\.size in body should be less than or equal to 3/);
    await ok('delete', 'widgets', 'legacy');
  });

  it('shows a default added to the schema on objects stored before it, on get, list and watch', async () => {
    await reloadTo(GADGET, { kind: 'Widget', specProperties: '{size: {type: integer}}' });
    const created = await k.kubectl(version, ['create', '-f', '-'], { input: object('Widget', 'older', { size: 1 }) });
    assert.equal(created.code, 0, created.stderr);
    await reloadTo(GADGET, { kind: 'Widget', specProperties: '{size: {type: integer}, color: {type: string, default: blue}}' });
    assert.equal(await ok('get', 'widgets', 'older', '-o', 'jsonpath={.spec.color}'), 'blue');
    assert.match(await ok('get', 'widgets', '-o', 'jsonpath={.items[*].spec.color}'), /blue/);
    const watch = httpWatch(k.url, `/apis/${GROUP}/v1/namespaces/default/widgets?watch=true&fieldSelector=metadata.name%3Dolder`, creds);
    const [added] = await watch.next(1);
    watch.close();
    assert.equal(added!.object.spec.color, 'blue');
    await ok('delete', 'widgets', 'older');
  });

  it('ends a watch on a removed kind, and answers NotFound for it afterwards', async () => {
    await reloadTo(GADGET, { kind: 'Widget' });
    await ensure('Widget', 'widgets', 'w1');
    const watch = httpWatch(k.url, `/apis/${GROUP}/v1/namespaces/default/widgets?watch=true`, creds);
    assert.equal(await watch.status, 200);
    await watch.next(1); // the ADDED of w1 (at least)
    await reloadTo(GADGET);
    // More events than there are objects: resolves only by rejecting when the stream ends.
    await assert.rejects(watch.next(1000, 30_000), /stream ended/);
    const again = await call('GET', `/apis/${GROUP}/v1/namespaces/default/widgets?watch=true`);
    assert.equal(again.status, 404);
    const r = await kubectl('get', 'widgets');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound|doesn't have a resource type "widgets"|could not find the requested resource/);
  });

  it('keeps a watch on an unchanged kind delivering events across 20 reloads', async () => {
    const watch = httpWatch(k.url, `${gadgets}?watch=true&resourceVersion=0`, creds);
    assert.equal(await watch.status, 200);
    for (let i = 0; i < 20; i++) {
      await reloadTo(GADGET, ...(i % 2 === 0 ? [{ kind: `Extra${i}` }] : []));
      assert.equal((await call('POST', gadgets, object('Gadget', `survivor-${i}`))).status, 201);
      const events = await watch.next(i + 1, 30_000);
      assert.equal(events[i]!.object.metadata.name, `survivor-${i}`);
    }
    watch.close();
  });

  it('fails no request to kinds that stay while the config is reloaded 50 times', async () => {
    let stop = false;
    const failures: string[] = [];
    let requests = 0;
    const client = async (id: number) => {
      for (let n = 0; !stop; n++) {
        const name = `load-${id}-${n}`;
        for (const [method, path, body] of [
          ['POST', gadgets, object('Gadget', name)],
          ['GET', `${gadgets}/${name}`],
          ['GET', gadgets],
          ['GET', `/apis/${GROUP}/v1`],
          ['DELETE', `${gadgets}/${name}`],
        ] as const) {
          const r = await call(method, path, body).catch((error: Error) => ({ status: 0, text: error.message }));
          requests++;
          if (r.status >= 300 || r.status === 0) failures.push(`${method} ${path}: ${r.status} ${r.text.slice(0, 200)}`);
        }
      }
    };
    const clients = [client(1), client(2)];
    for (let i = 0; i < 50; i++) await reloadTo(GADGET, { kind: i % 2 === 0 ? 'Sprocket' : 'Cog', columns: [{ name: `C${i}`, type: 'string', jsonPath: '.spec.x' }] });
    stop = true;
    await Promise.all(clients);
    assert.ok(requests > 0);
    assert.deepEqual(failures, []);
  });

  it('keeps serving after a bad config and shows the error on /readyz?verbose and /metrics', async () => {
    await reloadTo(GADGET);
    await ensure('Gadget', 'gadgets', 'kept');
    const good = k.running.reloader.generation!.hash;
    const failuresBefore = k.running.reloader.lastFailure;
    assert.equal(failuresBefore, undefined);
    await k.writeConfig((served = configYaml(GADGET, { kind: 'Twin', plural: 'gadgets' })));
    const readyz = await eventually('the rejection on /readyz', async () => {
      const r = await call('GET', '/readyz?verbose');
      return r.text.includes('rejected') ? r : undefined;
    });
    assert.equal(readyz.status, 200);
    assert.match(readyz.text, new RegExp(`sha256:${good}`));
    assert.match(readyz.text, /resources\[1\]\.names\.plural/);
    const metrics = await call('GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /^kindred_config_reloads_total\{result="failure"\} [1-9]/m);
    assert.match(metrics.text, /^kindred_config_reloads_total\{result="success"\} [1-9]/m);
    assert.match(await ok('get', 'gadgets'), /^kept\s/m);
  });
});

describe(`hot reload of a mounted ConfigMap with kubectl ${version}`, requireKubectl(version), () => {
  let k: TestKindred;
  before(async () => {
    k = await startTestKindred(configYaml(GADGET), { layout: 'configmap-mount', debounceMs: 20 });
  });
  after(async () => {
    await k?.stop();
  });

  it('serves a kind added by a ..data symlink swap', async () => {
    await k.writeConfig(configYaml(GADGET, { kind: 'Widget' }));
    await eventually('widgets in api-resources', async () => {
      const r = await k.kubectl(version, ['api-resources']);
      return /^widgets\s+reload\.example\.com\/v1\s+true\s+Widget$/m.test(r.stdout) ? true : undefined;
    });
    const r = await k.kubectl(version, ['create', '-f', '-'], { input: object('Widget', 'w1') });
    assert.equal(r.code, 0, r.stderr);
  });
});
