/**
 * Observability as kube-apiserver offers it, checked after a known sequence of kubectl
 * commands: the apiserver_* request metrics count exactly those requests (with kube's verbs,
 * scopes and codes), watches show as long-running with their events counted, every response
 * carries an Audit-Id, and each request leaves one log line naming it.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { credentialsFromKubeconfig, httpRequest, type Credentials } from '../support/http.ts';
import { requireKubectl } from '../support/tools.ts';
import { E2E_CONFIG, gadget } from '../support/gadget-config.ts';

const K = '1.33';

/** The value of one series in Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => inside.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('metrics, Audit-Id and the request log', requireKubectl(K), () => {
  let k: TestKindred;
  let creds: Credentials;
  const lines: Record<string, unknown>[] = [];

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    k = await startTestKindred(E2E_CONFIG, { log: pino({ level: 'info' }, sink), start: { logRequests: true } });
    creds = credentialsFromKubeconfig(k.kubeconfigPath);
  });
  after(async () => {
    await k?.stop();
  });

  it('counts what kubectl did, with kube-apiserver names and labels', async () => {
    const ok = async (...args: string[]) => {
      const r = await k.kubectl(K, args);
      assert.equal(r.code, 0, r.stderr);
    };
    await ok('create', '-f', await k.file('m1.json', gadget('m1', { size: 1 })));
    await ok('get', 'gadgets', 'm1');
    await ok('get', 'gadgets');
    await ok('delete', 'gadgets', 'm1');
    const missing = await k.kubectl(K, ['get', 'gadgets', 'nope']);
    assert.notEqual(missing.code, 0);
    const watch = await k.kubectl(K, ['get', 'gadgets', '-w', '--request-timeout=2s']);
    assert.ok(watch.code === 0 || /timeout|Timeout/.test(watch.stderr), watch.stderr);

    const gadgets = { group: 'fleet.example.net', version: 'v1', resource: 'gadgets', component: 'apiserver' };
    // kubectl has gone; the server counts the watch once it has seen it go.
    let text = '';
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const scraped = await httpRequest(k.url, 'GET', '/metrics', { credentials: creds });
      assert.equal(scraped.status, 200);
      text = scraped.text;
      if (sample(text, 'apiserver_request_total', { ...gadgets, verb: 'WATCH' }) !== undefined) break;
    }
    assert.equal(sample(text, 'apiserver_request_total', { ...gadgets, verb: 'POST', scope: 'namespace', code: '201' }), 1);
    assert.equal(sample(text, 'apiserver_request_total', { ...gadgets, verb: 'GET', scope: 'resource', code: '200' }), 1);
    // get nope, and kubectl delete's wait for the object to be gone.
    assert.equal(sample(text, 'apiserver_request_total', { ...gadgets, verb: 'GET', scope: 'resource', code: '404' }), 2);
    assert.equal(sample(text, 'apiserver_request_total', { ...gadgets, verb: 'DELETE', scope: 'resource', code: '200' }), 1);
    assert.ok((sample(text, 'apiserver_request_total', { ...gadgets, verb: 'LIST', scope: 'namespace', code: '200' }) ?? 0) >= 2, 'get gadgets and the watch list');
    assert.equal(sample(text, 'apiserver_request_total', { ...gadgets, verb: 'WATCH', scope: 'namespace', code: '200' }), 1);
    assert.ok((sample(text, 'apiserver_request_duration_seconds_count', { ...gadgets, verb: 'POST' }) ?? 0) >= 1);
    assert.ok(sample(text, 'apiserver_response_sizes_count', { ...gadgets, verb: 'LIST' }) !== undefined);
    assert.equal(sample(text, 'apiserver_registered_watchers', { group: 'fleet.example.net', kind: 'Gadget' }), 0, 'the watch has ended');
    assert.equal(sample(text, 'apiserver_longrunning_requests', { ...gadgets, verb: 'WATCH' }), 0);
    assert.ok(sample(text, 'apiserver_current_inflight_requests', { request_kind: 'mutating' }) !== undefined);
    assert.ok(sample(text, 'process_cpu_seconds_total', {}) !== undefined || /\nprocess_cpu_seconds_total /.test(text));
    assert.match(text, /\nnodejs_heap_size_used_bytes /);
    assert.equal(sample(text, 'kindred_config_last_reload_successful', {}) ?? Number(/\nkindred_config_last_reload_successful (\d)/.exec(text)?.[1]), 1);
  });

  it('answers every request with an Audit-Id, keeps the aggregator’s, and logs one line per request', async () => {
    const own = await httpRequest(k.url, 'GET', '/apis/fleet.example.net/v1/namespaces/default/gadgets', { credentials: creds });
    const id = String(own.headers['audit-id']);
    assert.match(id, /^[0-9a-f-]{36}$/);
    const refused = await httpRequest(k.url, 'GET', '/apis/fleet.example.net/v1/namespaces/default/gadgets', { credentials: { ca: creds.ca }, headers: { 'audit-id': 'from-the-aggregator' } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers['audit-id'], 'from-the-aggregator');
    const line = lines.find((l) => l.auditID === id);
    assert.ok(line, 'a log line for the request');
    assert.equal(line.msg, 'HTTP');
    assert.equal(line.verb, 'LIST');
    assert.equal(line.resp, 200);
    assert.equal(line.URI, '/apis/fleet.example.net/v1/namespaces/default/gadgets');
    assert.equal(line.user, 'kindred-admin');
    assert.match(String(line.latency), /^\d+\.\d{3}ms$/);
    assert.equal(lines.filter((l) => l.auditID === id).length, 1, 'exactly one line');
  });
});
