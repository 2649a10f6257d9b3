/**
 * Input limits side by side: the same requests to kube-apiserver (serving the kind as a CRD)
 * and to a standalone kindred (serving it from config) get the same status and reason, and
 * the same message where kindred words it as kube does (issue 16). Where kindred answers
 * differently on purpose, the last test pins both answers, so the difference stays a decision.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { clusterTestOptions } from './require.ts';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { credentialsFromKubeconfig, httpRequest, type Credentials } from '../support/http.ts';

const SCHEMA = {
  type: 'object',
  properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { size: { type: 'integer' }, list: { type: 'array', items: { type: 'string' } } } } },
};
const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.parity.example.com' },
  spec: {
    group: 'parity.example.com',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: SCHEMA } }],
  },
};
const CONFIG = `
resources:
  - group: parity.example.com
    names: {kind: Widget, plural: widgets, singular: widget}
    scope: Namespaced
    versions:
      - name: v1
        served: true
        storage: true
        schema: {openAPIV3Schema: ${JSON.stringify(SCHEMA)}}
`;
const widgets = '/apis/parity.example.com/v1/namespaces/default/widgets';

interface Answer {
  status: number;
  text: string;
  reason?: string;
  message?: string;
}

describe('input limits: kindred answers as kube-apiserver does', clusterTestOptions(), () => {
  let cp: ControlPlane;
  let k: TestKindred;
  let credentials: Credentials;

  const toKube = (method: string, path: string, body?: string, contentType = 'application/json', auth = true): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (auth) headers.authorization = `Bearer ${cp.tokens.admin}`;
      if (body !== undefined) Object.assign(headers, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) });
      const req = request(new URL(path, cp.apiServerUrl), { method, ca: cp.caPem, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(answer(res.statusCode ?? 0, Buffer.concat(chunks).toString())));
      });
      req.on('error', reject);
      req.end(body);
    });
  const toKindred = async (method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> => {
    const r = await httpRequest(k.url, method, path, { credentials, ...(body === undefined ? {} : { body, headers: { 'content-type': contentType } }) });
    return answer(r.status, r.text);
  };
  const both = async (method: string, path: string, body?: string, contentType?: string): Promise<[Answer, Answer]> => [
    await toKube(method, path, body, contentType),
    await toKindred(method, path, body, contentType),
  ];
  /** Same status and reason (and message, when `sameMessage`); both still serve the kind afterwards. */
  const same = async (label: string, [kube, kindred]: [Answer, Answer], sameMessage = false) => {
    assert.equal(kindred.status, kube.status, `${label}: kube said ${kube.text.slice(0, 200)}; kindred said ${kindred.text.slice(0, 200)}`);
    assert.equal(kindred.reason, kube.reason, label);
    if (sameMessage) assert.equal(kindred.message, kube.message, label);
    assert.equal((await toKube('GET', widgets)).status, 200);
    assert.equal((await toKindred('GET', widgets)).status, 200);
  };
  const text = (name: string, size: string, extra = '') =>
    `{"apiVersion":"parity.example.com/v1","kind":"Widget","metadata":{"name":"${name}"},"spec":{"size":${size}${extra}}}`;

  before(async () => {
    cp = await startControlPlane();
    assert.equal((await toKube('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(CRD))).status, 201);
    k = await startTestKindred(CONFIG);
    credentials = credentialsFromKubeconfig(k.kubeconfigPath);
    // The CRD is served once its established condition is set.
    for (let i = 0; (await toKube('GET', widgets)).status !== 200; i++) {
      assert.ok(i < 120, 'the CRD was never served');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
  after(async () => {
    await k?.stop();
    await cp?.stop();
  });

  it('keeps int64 values exact and refuses integers outside int64 with the same 422', async () => {
    const [kube, kindred] = await both('POST', widgets, text('exact', '123456789012345678', ',"x":{"big":-9223372036854775808}'));
    for (const r of [kube, kindred]) {
      assert.equal(r.status, 201, r.text);
      assert.match(r.text, /"size":123456789012345678[,}]/);
      assert.match(r.text, /"big":-9223372036854775808[,}]/);
    }
    await same('2^63', await both('POST', widgets, text('over', '9223372036854775808')), true);
    await same('1e17', await both('POST', widgets, text('exponent', '1e17')), true);
  });

  it('answers resourceVersion=abc and a continue beside a resourceVersion with the same 400', async () => {
    await same('resourceVersion=abc', await both('GET', `${widgets}?resourceVersion=abc`), true);
    await same('resourceVersion out of range', await both('GET', `${widgets}?resourceVersion=99999999999999999999999`), true);
    for (const name of ['p1', 'p2', 'p3']) await both('POST', widgets, text(name, '1'));
    const [kubePage, kindredPage] = await both('GET', `${widgets}?limit=1`);
    const kubeToken = JSON.parse(kubePage.text).metadata.continue as string;
    const kindredToken = JSON.parse(kindredPage.text).metadata.continue as string;
    await same('continue and resourceVersion', [
      await toKube('GET', `${widgets}?limit=1&resourceVersion=5&continue=${encodeURIComponent(kubeToken)}`),
      await toKindred('GET', `${widgets}?limit=1&resourceVersion=5&continue=${encodeURIComponent(kindredToken)}`),
    ], true);
    const garbled = await both('GET', `${widgets}?limit=1&continue=not-base64-%25%25`);
    await same('garbled continue', garbled);
    for (const r of garbled) assert.match(r.message ?? '', /^invalid continue token: continue key is not valid: /);
  });

  it('answers malformed paths, namespaces, selectors and YAML with the same codes', async () => {
    await same('Bad_NS', await both('POST', '/apis/parity.example.com/v1/namespaces/Bad_NS/widgets', text('w', '1')), true);
    const [kubeEscape, kindredEscape] = await both('GET', `${widgets}/a%zz`);
    assert.equal(kindredEscape.status, kubeEscape.status);
    const [kubeSlash, kindredSlash] = await both('POST', '/apis/parity.example.com/v1/namespaces/x%2Fy/widgets', text('w', '1'));
    assert.equal(kindredSlash.status, kubeSlash.status);
    await same('label selector', await both('GET', `${widgets}?labelSelector=a%20in%20(((`), true);
    const selfReference = 'apiVersion: parity.example.com/v1\nkind: Widget\nmetadata: {name: selfref}\nspec: &a {x: [*a]}\n';
    await same('YAML anchor containing itself', await both('POST', widgets, selfReference, 'application/yaml'));
    await same('YAML 20,000 deep', await both('POST', widgets, '{a: '.repeat(20_000) + '1' + '}'.repeat(20_000), 'application/yaml'));
    const deep = `{"apiVersion":"parity.example.com/v1","kind":"Widget","metadata":{"name":"deep"},"spec":{"x":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}`;
    await same('JSON 10,001 deep', await both('POST', widgets, deep));
  });

  it('answers growth past the limits with the same codes', async () => {
    const body = JSON.stringify({ apiVersion: 'parity.example.com/v1', kind: 'Widget', metadata: { name: 'doubling' }, spec: { list: ['x'.repeat(1024)] } });
    await both('POST', widgets, body);
    const doubling = JSON.stringify(Array.from({ length: 40 }, () => ({ op: 'copy', from: '/spec/list', path: '/spec/list/-' })));
    await same('40-copy doubling patch', await both('PATCH', `${widgets}/doubling`, doubling, 'application/json-patch+json'));
    const huge = JSON.stringify({ apiVersion: 'parity.example.com/v1', kind: 'Widget', metadata: { name: 'huge' }, spec: { a: 'x'.repeat(3 * 1024 * 1024) } });
    await same('body over 3 MiB', await both('POST', widgets, huge), true);
  });

  it('shows anonymous callers of /readyz?verbose check names and states only', async () => {
    const kube = await toKube('GET', '/readyz?verbose', undefined, undefined, false);
    const kindred = await httpRequest(k.url, 'GET', '/readyz?verbose', { credentials: { ca: credentials.ca } });
    for (const r of [kube, kindred]) {
      assert.equal(r.status, 200);
      for (const line of r.text.trim().split('\n').slice(0, -1)) assert.match(line, /^\[[+-]\][\w/-]+ (ok|failed: reason withheld)$/);
    }
  });

  it('differs where kindred chose to: oversized objects, believable forged tokens, depth', async () => {
    // kube-apiserver passes etcd's "request is too large" on as a 500 with no reason; the
    // client sent too much, so kindred answers 413.
    const half = 'h'.repeat(900 * 1024);
    await both('POST', widgets, JSON.stringify({ apiVersion: 'parity.example.com/v1', kind: 'Widget', metadata: { name: 'grown' }, spec: { a: half } }));
    const [kubeGrown, kindredGrown] = await both('PATCH', `${widgets}/grown`, JSON.stringify({ spec: { b: half } }), 'application/merge-patch+json');
    assert.deepEqual([kubeGrown.status, kubeGrown.message], [500, 'etcdserver: request is too large']);
    assert.deepEqual([kindredGrown.status, kindredGrown.reason], [413, 'RequestEntityTooLarge']);
    // A well-formed forged token is believed by kube-apiserver (here: 504 for its resourceVersion);
    // kindred's tokens carry an HMAC.
    const forged = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 999999, start: 'p1\u0000' })).toString('base64url');
    const [kubeForged, kindredForged] = await both('GET', `${widgets}?limit=1&continue=${forged}`);
    assert.equal(kubeForged.status, 504);
    assert.equal(kindredForged.status, 400);
    // kube-apiserver serves up to 10,000 levels; kindred up to 512 (core/nesting.ts says why).
    const deep = `{"apiVersion":"parity.example.com/v1","kind":"Widget","metadata":{"name":"d2000"},"spec":{"x":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}}`;
    const [kubeDeep, kindredDeep] = await both('POST', widgets, deep);
    assert.deepEqual([kubeDeep.status, kindredDeep.status], [201, 400]);
  });
});

function answer(status: number, text: string): Answer {
  try {
    const body = JSON.parse(text) as { kind?: string; reason?: string; message?: string };
    if (body.kind === 'Status') return { status, text, ...(body.reason ? { reason: body.reason } : {}), ...(body.message ? { message: body.message } : {}) };
  } catch {
    // not JSON: a plain-text answer (Go's mux, health)
  }
  return { status, text };
}
