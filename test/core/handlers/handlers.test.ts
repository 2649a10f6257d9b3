/**
 * The resource handlers and the registry layer under them, in process: each case sends one
 * request through handleResourceRequest (after the calls in `given`) and checks the reply,
 * as a client would see it. Real TLS, kubectl and client-go stay in the e2e tier.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../core/types/object.ts';
import type { Status } from '../../../core/status.ts';
import { GROUP, harness, widget, widgets, type Answer, type Call } from '../../support/resource-request.ts';

interface Case {
  name: string;
  given?: Call[];
  call: Call;
  status: number;
  /** For a Status reply: its reason and a pattern its message matches. */
  reason?: string;
  message?: RegExp;
  check?: (answer: Answer) => void;
}

const post = (body: unknown, query = ''): Call => ({ method: 'POST', url: `${widgets()}${query}`, body });
const put = (name: string, body: unknown, query = ''): Call => ({ method: 'PUT', url: `${widgets()}/${name}${query}`, body });
const get = (name: string, query = ''): Call => ({ method: 'GET', url: `${widgets()}/${name}${query}` });
const list = (query = '', namespace?: string): Call => ({ method: 'GET', url: `${namespace === undefined ? widgets() : namespace === '' ? `/apis/${GROUP}/v1/widgets` : widgets(namespace)}${query}` });
const patch = (name: string, contentType: string, body: unknown, query = ''): Call => ({ method: 'PATCH', url: `${widgets()}/${name}${query}`, body, contentType });
const del = (name: string, body?: unknown, query = ''): Call => ({ method: 'DELETE', url: `${widgets()}/${name}${query}`, ...(body === undefined ? {} : { body }) });

const object = (answer: Answer): KubeObject => answer.body as KubeObject;
const items = (answer: Answer): KubeObject[] => (answer.body as { items: KubeObject[] }).items;
const names = (answer: Answer): string[] => items(answer).map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

function runCases(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness();
      for (const given of c.given ?? []) {
        const answer = await h.call(given);
        assert.ok(answer.status < 300, `given ${given.method} ${given.url}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      const answer = await h.call(c.call);
      assert.equal(answer.status, c.status, JSON.stringify(answer.body));
      if (c.reason !== undefined || c.message !== undefined) {
        const status = answer.body as Status;
        assert.equal(status.kind, 'Status');
        assert.equal(status.code, c.status);
        if (c.reason !== undefined) assert.equal(status.reason, c.reason);
        if (c.message !== undefined) assert.match(status.message, c.message);
      }
      c.check?.(answer);
      assert.deepEqual(h.bugs, [], 'no error was reported as a bug');
    });
  }
}

describe('create (POST)', () => {
  runCases([
    {
      name: 'stores the object with server-set metadata and schema defaults, and answers 201',
      call: post(widget('a', {})),
      status: 201,
      check: (a) => {
        const o = object(a);
        assert.equal(o.metadata.namespace, 'default');
        assert.ok(o.metadata.uid);
        assert.equal(o.metadata.creationTimestamp, '2026-01-02T03:04:05Z');
        assert.equal(o.metadata.generation, 1);
        assert.ok(o.metadata.resourceVersion);
        assert.deepEqual(o.spec, { size: 1 });
        assert.equal((o.metadata.managedFields?.[0] as { manager?: string } | undefined)?.manager, 'handler-test');
      },
    },
    {
      name: 'names an object from generateName',
      call: post({ ...widget(''), metadata: { generateName: 'w-' } }),
      status: 201,
      check: (a) => assert.match(object(a).metadata.name ?? '', /^w-[a-z0-9]{5}$/),
    },
    {
      name: 'answers 409 AlreadyExists with the name from the body',
      given: [post(widget('a'))],
      call: post(widget('a')),
      status: 409,
      reason: 'AlreadyExists',
      message: /^widgets\.test\.kindred\.dev "a" already exists$/,
    },
    {
      name: 'answers 422 for a name that is not a DNS-1123 subdomain',
      call: post(widget('Bad_Name')),
      status: 422,
      reason: 'Invalid',
      message: /^Widget\.test\.kindred\.dev "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    },
    {
      name: 'answers 422 with the field path for a value the schema refuses',
      call: post(widget('a', { size: -1 })),
      status: 422,
      reason: 'Invalid',
      message: /spec\.size/,
    },
    {
      name: 'answers 400 when resourceVersion is set',
      call: post(widget('a', { size: 1 }, { resourceVersion: '5' })),
      status: 400,
      reason: 'BadRequest',
      message: /resourceVersion should not be set/,
    },
    {
      name: 'answers 400 for a body that is not JSON',
      call: { method: 'POST', url: widgets(), body: '{', contentType: 'application/json' },
      status: 400,
      reason: 'BadRequest',
    },
    {
      name: 'answers 422 naming CreateOptions for an unsupported dryRun value',
      call: post(widget('a'), '?dryRun=Some'),
      status: 422,
      message: /^CreateOptions\.meta\.k8s\.io "" is invalid: dryRun: Unsupported value: "Some": supported values: "All"$/,
    },
    {
      name: 'stores nothing on dryRun=All',
      given: [post(widget('a'), '?dryRun=All')],
      call: get('a'),
      status: 404,
      reason: 'NotFound',
    },
    {
      name: 'warns about an unknown field under fieldValidation=Warn and drops it',
      call: post(widget('a', { size: 2, colour: 'red' }), '?fieldValidation=Warn'),
      status: 201,
      check: (a) => {
        assert.deepEqual(a.warnings, ['unknown field "spec.colour"']);
        assert.deepEqual(object(a).spec, { size: 2 });
      },
    },
    {
      name: 'answers 400 for an unknown field under fieldValidation=Strict',
      call: post(widget('a', { size: 2, colour: 'red' }), '?fieldValidation=Strict'),
      status: 400,
      message: /strict decoding error: unknown field "spec\.colour"/,
    },
  ]);
});

describe('get and list (GET)', () => {
  runCases([
    { name: 'answers 200 with the object', given: [post(widget('a'))], call: get('a'), status: 200, check: (a) => assert.equal(object(a).metadata.name, 'a') },
    { name: 'answers 404 NotFound worded as kube-apiserver does', call: get('nope'), status: 404, reason: 'NotFound', message: /^widgets\.test\.kindred\.dev "nope" not found$/ },
    {
      name: 'lists across namespaces sorted by namespace then name',
      given: [post(widget('b')), post(widget('a')), { ...post(widget('c')), url: widgets('alpha') }],
      call: list('', ''),
      status: 200,
      check: (a) => assert.deepEqual(names(a), ['alpha/c', 'default/a', 'default/b']),
    },
    {
      name: 'applies a label selector',
      given: [post(widget('a', { size: 1 }, { labels: { tier: 'web' } })), post(widget('b'))],
      call: list('?labelSelector=tier%3Dweb'),
      status: 200,
      check: (a) => assert.deepEqual(names(a), ['default/a']),
    },
    {
      name: 'applies a field selector on metadata.name',
      given: [post(widget('a')), post(widget('b'))],
      call: list('?fieldSelector=metadata.name%3Db'),
      status: 200,
      check: (a) => assert.deepEqual(names(a), ['default/b']),
    },
    { name: 'answers 400 for a label selector that does not parse', call: list('?labelSelector=a%20in'), status: 400, reason: 'BadRequest' },
    { name: 'answers 400 for a field the field selector does not support', call: list('?fieldSelector=spec.size%3D1'), status: 400, message: /field label not supported: spec\.size/ },
    {
      name: 'cuts pages with limit and continues them',
      given: [post(widget('a')), post(widget('b')), post(widget('c'))],
      call: list('?limit=2'),
      status: 200,
      check: (a) => {
        assert.deepEqual(names(a), ['default/a', 'default/b']);
        const meta = (a.body as { metadata: { continue?: string; remainingItemCount?: number } }).metadata;
        assert.ok(meta.continue);
        assert.equal(meta.remainingItemCount, 1);
      },
    },
    {
      name: 'answers a Table for kubectl get',
      given: [post(widget('a', { size: 3 }))],
      call: { ...list(), accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      status: 200,
      check: (a) => {
        const table = a.body as { kind: string; rows: { cells: unknown[] }[] };
        assert.equal(table.kind, 'Table');
        assert.deepEqual(table.rows[0]?.cells.slice(0, 2), ['a', 3]);
      },
    },
  ]);
});

describe('update (PUT) and patch (PATCH)', () => {
  runCases([
    {
      name: 'replaces the object and bumps generation when spec changes',
      given: [post(widget('a'))],
      // A fresh memory store starts at resourceVersion 1: the first create is 2.
      call: put('a', widget('a', { size: 5 }, { resourceVersion: '2' })),
      status: 200,
      check: (a) => {
        assert.deepEqual(object(a).spec, { size: 5 });
        assert.equal(object(a).metadata.generation, 2);
      },
    },
    {
      name: 'answers 409 Conflict for a stale resourceVersion',
      given: [post(widget('a')), put('a', widget('a', { size: 2 }, { resourceVersion: '2' }))],
      call: put('a', widget('a', { size: 3 }, { resourceVersion: '2' })),
      status: 409,
      reason: 'Conflict',
      message: /^Operation cannot be fulfilled on widgets\.test\.kindred\.dev "a": the object has been modified/,
    },
    { name: 'answers 404 for an object that does not exist', call: put('nope', widget('nope', { size: 1 }, { resourceVersion: '1' })), status: 404, reason: 'NotFound' },
    {
      name: 'answers 422 to a PUT without resourceVersion, as for custom resources',
      given: [post(widget('a'))],
      call: put('a', widget('a')),
      status: 422,
      reason: 'Invalid',
      message: /metadata\.resourceVersion: Invalid value: 0x0: must be specified for an update/,
    },
    {
      name: 'answers 400 when the body names another object',
      given: [post(widget('a'))],
      call: put('a', widget('b')),
      status: 400,
      reason: 'BadRequest',
    },
    {
      name: 'writes only status through /status',
      given: [post(widget('a'))],
      call: { method: 'PUT', url: `${widgets()}/a/status`, body: { ...widget('a', { size: 9 }, { resourceVersion: '2' }), status: { phase: 'Ready' } } },
      status: 200,
      check: (a) => {
        assert.deepEqual(object(a).spec, { size: 1 });
        assert.deepEqual(object(a).status, { phase: 'Ready' });
      },
    },
    {
      name: 'applies a merge patch',
      given: [post(widget('a'))],
      call: patch('a', 'application/merge-patch+json', { spec: { size: 4 } }),
      status: 200,
      check: (a) => assert.deepEqual(object(a).spec, { size: 4 }),
    },
    {
      name: 'applies a JSON patch',
      given: [post(widget('a'))],
      call: patch('a', 'application/json-patch+json', [{ op: 'replace', path: '/spec/size', value: 7 }]),
      status: 200,
      check: (a) => assert.deepEqual(object(a).spec, { size: 7 }),
    },
    {
      name: 'answers 422 for a JSON patch whose test fails',
      given: [post(widget('a'))],
      call: patch('a', 'application/json-patch+json', [{ op: 'test', path: '/spec/size', value: 99 }]),
      status: 422,
    },
    {
      name: 'answers 415 for a strategic merge patch',
      given: [post(widget('a'))],
      call: patch('a', 'application/strategic-merge-patch+json', { spec: { size: 4 } }),
      status: 415,
      reason: 'UnsupportedMediaType',
    },
    {
      name: 'answers 422 naming PatchOptions for force on a non-apply patch',
      given: [post(widget('a'))],
      call: patch('a', 'application/merge-patch+json', { spec: { size: 4 } }, '?force=true'),
      status: 422,
      message: /^PatchOptions\.meta\.k8s\.io "" is invalid: force: Forbidden: may not be specified for non-apply patch$/,
    },
    {
      name: 'server-side apply creates an absent object with 201',
      call: patch('a', 'application/apply-patch+yaml', widget('a', { size: 2 }), '?fieldManager=tester'),
      status: 201,
      check: (a) => assert.equal((object(a).metadata.managedFields?.[0] as { operation?: string } | undefined)?.operation, 'Apply'),
    },
    {
      name: 'server-side apply updates an existing object with 200',
      given: [patch('a', 'application/apply-patch+yaml', widget('a', { size: 2 }), '?fieldManager=tester')],
      call: patch('a', 'application/apply-patch+yaml', widget('a', { size: 3 }), '?fieldManager=tester'),
      status: 200,
      check: (a) => assert.deepEqual(object(a).spec, { size: 3 }),
    },
    {
      name: 'server-side apply answers 409 when another manager owns the field',
      given: [post(widget('a', { size: 2 }))],
      call: patch('a', 'application/apply-patch+yaml', widget('a', { size: 3 }), '?fieldManager=tester'),
      status: 409,
      reason: 'Conflict',
    },
    {
      name: 'server-side apply answers 422 without a fieldManager',
      call: patch('a', 'application/apply-patch+yaml', widget('a')),
      status: 422,
      message: /^PatchOptions\.meta\.k8s\.io "" is invalid: fieldManager: Required value: is required for apply patch$/,
    },
  ]);
});

describe('delete (DELETE)', () => {
  runCases([
    {
      name: 'removes the object and answers it with 200',
      given: [post(widget('a'))],
      call: del('a'),
      status: 200,
      check: (a) => assert.equal(object(a).metadata.name, 'a'),
    },
    { name: 'answers 404 for an object that does not exist', call: del('nope'), status: 404, reason: 'NotFound' },
    {
      name: 'answers 409 with apimachinery wording when the uid precondition fails',
      given: [post(widget('a'))],
      call: del('a', { preconditions: { uid: 'other' } }),
      status: 409,
      reason: 'Conflict',
      message: /^Operation cannot be fulfilled on widgets\.test\.kindred\.dev "a": Precondition failed: UID in precondition: other, UID in object meta: \S+$/,
    },
    {
      name: 'only marks an object that has finalizers',
      given: [post(widget('a', { size: 1 }, { finalizers: ['example.com/keep'] }))],
      call: del('a'),
      status: 200,
      check: (a) => assert.equal(object(a).metadata.deletionTimestamp, '2026-01-02T03:04:05Z'),
    },
    {
      name: 'adds the orphan finalizer for propagationPolicy=Orphan',
      given: [post(widget('a'))],
      call: del('a', { propagationPolicy: 'Orphan' }),
      status: 200,
      check: (a) => assert.deepEqual(object(a).metadata.finalizers, ['orphan']),
    },
    {
      name: 'answers 422 naming DeleteOptions for an unknown propagationPolicy',
      given: [post(widget('a'))],
      call: del('a', { propagationPolicy: 'Sideways' }),
      status: 422,
      message: /^DeleteOptions\.meta\.k8s\.io "" is invalid: propagationPolicy: Unsupported value: "Sideways"/,
    },
    {
      name: 'deletes what a collection delete selects',
      given: [post(widget('a', { size: 1 }, { labels: { x: 'y' } })), post(widget('b'))],
      call: { method: 'DELETE', url: `${widgets()}?labelSelector=x%3Dy` },
      status: 200,
      check: (a) => assert.deepEqual(names(a), ['default/a']),
    },
  ]);

  it('removes a marked object once an update takes its last finalizer away', async () => {
    const h = harness();
    await h.call(post(widget('a', { size: 1 }, { finalizers: ['example.com/keep'] })));
    await h.call(del('a'));
    const marked = object(await h.call(get('a')));
    const released = await h.call(put('a', { ...marked, metadata: { ...marked.metadata, finalizers: [] } }));
    assert.equal(released.status, 200);
    assert.equal((await h.call(get('a'))).status, 404);
  });
});
