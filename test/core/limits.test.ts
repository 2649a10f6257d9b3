/**
 * Input limits of a running kindred (issue 16): what kube-apiserver refuses with a 4xx, kindred
 * refuses with the same code and reason, and the server still answers afterwards. Each case
 * was a crash, a poisoned kind or a 500 before. Full-size figures: test/bench/reliability.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { credentialsFromKubeconfig, httpRequest, httpWatch, type Credentials, type HttpResponse } from '../support/http.ts';
import { MAX_NESTING_DEPTH } from '../../core/nesting.ts';

const CONFIG = `
resources:
  - group: limits.example.com
    names: {kind: Widget, plural: widgets, singular: widget}
    scope: Namespaced
    versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                # Walks the whole preserved value, at any depth.
                x-kubernetes-validations:
                  - rule: "!has(self.x) || self.x == self.x"
                properties:
                  size: {type: integer}
                  list: {type: array, items: {type: string}}
        additionalPrinterColumns:
          - {name: X, type: string, jsonPath: .spec.x}
          - {name: Size, type: integer, jsonPath: .spec.size}
  - group: limits.example.com
    names: {kind: Gizmo, plural: gizmos, singular: gizmo}
    scope: Cluster
    versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;

const widgets = '/apis/limits.example.com/v1/namespaces/default/widgets';

/** `{"a": {"a": … 1}}` with `levels` objects. */
export function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

/** A Widget whose whole document nests exactly `depth` levels (root and spec are two of them). */
export function widgetAtDepth(name: string, depth: number): Record<string, unknown> {
  return { apiVersion: 'limits.example.com/v1', kind: 'Widget', metadata: { name }, spec: { x: nested(depth - 2) } };
}

/** The same as JSON text, for depths JSON.stringify cannot encode. */
export function widgetTextAtDepth(name: string, depth: number): string {
  const levels = depth - 2;
  return `{"apiVersion":"limits.example.com/v1","kind":"Widget","metadata":{"name":"${name}"},"spec":{"x":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}}`;
}

describe('input limits', () => {
  let k: TestKindred;
  let credentials: Credentials;
  const call = (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<HttpResponse> =>
    httpRequest(k.url, method, path, {
      credentials,
      headers: body === undefined ? {} : { 'content-type': contentType },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const widget = (name: string, spec: unknown = {}) => ({ apiVersion: 'limits.example.com/v1', kind: 'Widget', metadata: { name }, spec });
  /** The Status of a refused request; then the server must still list widgets. */
  const refused = async (r: HttpResponse, code: number, reason: string, message?: RegExp) => {
    assert.equal(r.status, code, r.text.slice(0, 300));
    const status = r.json();
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, reason);
    if (message) assert.match(status.message, message);
    assert.equal((await call('GET', widgets)).status, 200, 'the server answers afterwards');
  };

  before(async () => {
    k = await startTestKindred(CONFIG);
    credentials = credentialsFromKubeconfig(k.kubeconfigPath);
  });
  after(async () => {
    await k?.stop();
  });

  describe('JSON patch growth', () => {
    it('refuses copies that accumulate more than 3 MiB with a 422, and keeps the object', async () => {
      assert.equal((await call('POST', widgets, widget('doubling', { list: ['x'.repeat(1024)] }))).status, 201);
      // Each copy appends the list to itself, doubling it: 1 KiB · 2^12 passes 3 MiB.
      const ops = Array.from({ length: 40 }, () => ({ op: 'copy', from: '/spec/list', path: '/spec/list/-' }));
      await refused(await call('PATCH', `${widgets}/doubling`, ops, 'application/json-patch+json'), 422, 'Invalid');
      const stored = await call('GET', `${widgets}/doubling`);
      assert.equal(stored.json().spec.list.length, 1);
    });

    it('words the refusal as evanphx/json-patch does', async () => {
      const big = 'z'.repeat(1024 * 1024);
      assert.equal((await call('POST', widgets, widget('copier', { list: [big] }))).status, 201);
      const ops = Array.from({ length: 4 }, () => ({ op: 'copy', from: '/spec/list/0', path: '/spec/list/-' }));
      const r = await call('PATCH', `${widgets}/copier`, ops, 'application/json-patch+json');
      await refused(r, 422, 'Invalid', /Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728/);
    });
  });

  describe('object size after any write', () => {
    const half = 'h'.repeat(900 * 1024);
    it('refuses a merge patch that grows an object past 1.5 MiB with a 413', async () => {
      assert.equal((await call('POST', widgets, widget('merged', { a: half }))).status, 201);
      const r = await call('PATCH', `${widgets}/merged`, { spec: { b: half } }, 'application/merge-patch+json');
      await refused(r, 413, 'RequestEntityTooLarge', /Request entity too large/);
      assert.equal((await call('GET', `${widgets}/merged`)).json().spec.b, undefined);
    });
    it('refuses the same growth through update, apply and create', async () => {
      const current = (await call('GET', `${widgets}/merged`)).json();
      await refused(await call('PUT', `${widgets}/merged`, { ...current, spec: { a: half, b: half } }), 413, 'RequestEntityTooLarge');
      const applied = widget('merged', { a: half, b: half });
      await refused(await call('PATCH', `${widgets}/merged?fieldManager=t`, applied, 'application/apply-patch+yaml'), 413, 'RequestEntityTooLarge');
      await refused(await call('POST', widgets, widget('big', { a: half, b: half })), 413, 'RequestEntityTooLarge');
    });
    it('answers a body over 3 MiB with kube-apiserver’s wording', async () => {
      const r = await call('POST', widgets, widget('huge', { a: 'x'.repeat(3 * 1024 * 1024) }));
      await refused(r, 413, 'RequestEntityTooLarge', /^Request entity too large: limit is 3145728$/);
    });
  });

  describe('nesting depth', () => {
    it(`serves an object nested ${MAX_NESTING_DEPTH} levels through every verb`, async () => {
      const name = 'deepest';
      const watch = httpWatch(k.url, `${widgets}?watch=true&fieldSelector=metadata.name%3D${name}`, credentials);
      try {
        assert.equal(await watch.status, 200);
        const created = await call('POST', widgets, widgetAtDepth(name, MAX_NESTING_DEPTH));
        assert.equal(created.status, 201, created.text.slice(0, 300));
        assert.equal((await call('GET', `${widgets}/${name}`)).status, 200);
        assert.equal((await call('GET', widgets)).status, 200);
        assert.equal((await call('GET', '/apis/limits.example.com/v1/widgets')).status, 200);
        assert.equal((await call('GET', `${widgets}?limit=1`)).status, 200);
        const table = await httpRequest(k.url, 'GET', `${widgets}/${name}`, { credentials, headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
        assert.equal(table.status, 200, table.text.slice(0, 300));
        const merged = await call('PATCH', `${widgets}/${name}`, { metadata: { labels: { a: 'b' } } }, 'application/merge-patch+json');
        assert.equal(merged.status, 200, merged.text.slice(0, 300));
        const jsonPatched = await call('PATCH', `${widgets}/${name}`, [{ op: 'add', path: '/spec/y', value: 1 }], 'application/json-patch+json');
        assert.equal(jsonPatched.status, 200, jsonPatched.text.slice(0, 300));
        // An apply keeps its managedFields, which nest five levels below the fields they list.
        const config = widgetAtDepth(name, MAX_NESTING_DEPTH - 5) as { spec: Record<string, unknown> };
        config.spec.z = 1;
        const applied = await call('PATCH', `${widgets}/${name}?fieldManager=t&force=true`, config, 'application/apply-patch+yaml');
        assert.equal(applied.status, 200, applied.text.slice(0, 300));
        const current = (await call('GET', `${widgets}/${name}`)).json();
        current.metadata.labels = { c: 'd' };
        const updated = await call('PUT', `${widgets}/${name}`, current);
        assert.equal(updated.status, 200, updated.text.slice(0, 300));
        assert.equal((await call('DELETE', `${widgets}/${name}`)).status, 200);
        const events = await watch.next(6).catch(() => assert.fail(`events: ${watch.events.map((e) => e.type).join(', ')}`));
        assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'DELETED']);
      } finally {
        watch.close();
      }
    });

    it('keeps managedFields as deep as a body may be readable', async () => {
      // root, metadata, managedFields, the entry: fieldsV1 starts at level 5; its innermost {} is the last level.
      let fieldsV1: unknown = {};
      for (let i = 0; i < MAX_NESTING_DEPTH - 5; i++) fieldsV1 = { 'f:a': fieldsV1 };
      const entry = { manager: 'm', operation: 'Update', apiVersion: 'limits.example.com/v1', fieldsType: 'FieldsV1', fieldsV1 };
      const created = await call('POST', widgets, { ...widget('deep-fields'), metadata: { name: 'deep-fields', managedFields: [entry] } });
      assert.equal(created.status, 201, created.text.slice(0, 300));
      assert.equal((await call('GET', `${widgets}/deep-fields`)).status, 200);
      assert.equal((await call('GET', widgets)).status, 200);
      assert.equal((await call('DELETE', `${widgets}/deep-fields`)).status, 200);
    });

    it('refuses one level more with a 400, in JSON, YAML and patches', async () => {
      const over = widgetAtDepth('too-deep', MAX_NESTING_DEPTH + 1);
      await refused(await call('POST', widgets, over), 400, 'BadRequest', /exceeded max depth/);
      const yaml = JSON.stringify(over).replaceAll('"', '');
      await refused(await call('POST', widgets, yaml, 'application/yaml'), 400, 'BadRequest', /exceeded max depth/);
      assert.equal((await call('POST', widgets, widget('shallow'))).status, 201);
      await refused(await call('PATCH', `${widgets}/shallow`, { spec: { x: nested(MAX_NESTING_DEPTH) } }, 'application/merge-patch+json'), 400, 'BadRequest');
      await refused(await call('PATCH', `${widgets}/shallow?fieldManager=t`, over, 'application/apply-patch+yaml'), 400, 'BadRequest');
      // Each value alone is shallow enough for the body; placed that deep it is not.
      const half = MAX_NESTING_DEPTH / 2;
      const deepPath = `/spec/x${'/a'.repeat(half - 1)}`;
      const adds = [{ op: 'add', path: '/spec/x', value: nested(half) }, { op: 'add', path: deepPath, value: nested(half) }];
      await refused(await call('PATCH', `${widgets}/shallow`, adds, 'application/json-patch+json'), 422, 'Invalid', /max depth/);
      const copies = [{ op: 'add', path: '/spec/x', value: nested(half) }, { op: 'copy', from: '/spec/x', path: deepPath }];
      await refused(await call('PATCH', `${widgets}/shallow`, copies, 'application/json-patch+json'), 422, 'Invalid', /max depth/);
      await refused(await call('PUT', `${widgets}/shallow`, widgetTextAtDepth('shallow', 10_001)), 400, 'BadRequest', /exceeded max depth/);
    });

    it('refuses deep YAML before composing it, as often as it is sent', async () => {
      // The yaml package composes recursively; a second stack overflow inside it aborted the process.
      for (const text of ['{a: '.repeat(5000) + '1' + '}'.repeat(5000), '- '.repeat(5000) + '1\n']) {
        for (let i = 0; i < 3; i++) await refused(await call('POST', widgets, text, 'application/yaml'), 400, 'BadRequest', /exceeded max depth/);
      }
    });

    it('refuses labels nested 100,000 deep with a 400', async () => {
      const labels = '{"a":'.repeat(100_000) + '"b"' + '}'.repeat(100_000);
      const body = `{"apiVersion":"limits.example.com/v1","kind":"Widget","metadata":{"name":"labels","labels":${labels}}}`;
      await refused(await call('POST', widgets, body), 400, 'BadRequest', /exceeded max depth/);
    });

    it('refuses an apply whose managedFields would nest too deep with a 422', async () => {
      const r = await call('PATCH', `${widgets}/apply-deep?fieldManager=t`, widgetAtDepth('apply-deep', MAX_NESTING_DEPTH), 'application/apply-patch+yaml');
      await refused(r, 422, 'Invalid', /max depth/);
    });
  });

  describe('YAML aliases', () => {
    it('refuses an anchor that contains its own alias with a 400', async () => {
      const text = 'apiVersion: limits.example.com/v1\nkind: Widget\nmetadata: {name: selfref}\nspec: &a {x: [*a]}\n';
      await refused(await call('POST', widgets, text, 'application/yaml'), 400, 'BadRequest');
    });
    it('refuses an alias bomb with a 400', async () => {
      const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 1; i < 9; i++) levels.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9).fill(`*${'abcdefghi'[i - 1]}`).join(',')}]`);
      const text = `apiVersion: limits.example.com/v1\nkind: Widget\nmetadata: {name: bomb}\nspec:\n${levels.map((l) => `  ${l}`).join('\n')}\n`;
      await refused(await call('POST', widgets, text, 'application/yaml'), 400, 'BadRequest');
    });
    it('expands an ordinary alias into a copy', async () => {
      const text = 'apiVersion: limits.example.com/v1\nkind: Widget\nmetadata: {name: aliased}\nspec:\n  a: &shared {x: 1}\n  b: *shared\n';
      const r = await call('POST', widgets, text, 'application/yaml');
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(r.json().spec, { a: { x: 1 }, b: { x: 1 } });
    });
  });

  describe('malformed requests', () => {
    it('answers a bad percent-escape in the path with a 400', async () => {
      await refused(await call('GET', `${widgets}/a%zz`), 400, 'BadRequest', /invalid URL escape "%zz"/);
      await refused(await call('GET', '/apis/limits.example.com/v1/namespaces/%E0%A4%A/widgets'), 400, 'BadRequest');
    });
    it('answers a list at resourceVersion=abc with a 400, as kube-apiserver does', async () => {
      await refused(await call('GET', `${widgets}?resourceVersion=abc`), 400, 'BadRequest', /^invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax$/);
      await refused(await call('GET', `${widgets}?resourceVersion=99999999999999999999999`), 400, 'BadRequest', /value out of range/);
      assert.equal((await call('GET', `${widgets}?resourceVersion=1`)).status, 200);
    });
    it('refuses forged and garbled continue tokens with a 400', async () => {
      for (const name of ['page-a', 'page-b', 'page-c']) assert.equal((await call('POST', widgets, widget(name))).status, 201);
      const first = (await call('GET', `${widgets}?limit=1`)).json();
      const token: string = first.metadata.continue;
      assert.ok(token);
      const second = await call('GET', `${widgets}?limit=1&continue=${encodeURIComponent(token)}`);
      assert.equal(second.status, 200);
      assert.equal(second.json().metadata.resourceVersion, first.metadata.resourceVersion);
      const [payload] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const forgedPayload = Buffer.from(JSON.stringify({ ...claims, rv: '999999' })).toString('base64url');
      const forgeries = [
        forgedPayload,
        `${forgedPayload}.${token.split('.')[1]}`,
        Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 5, start: 'default/page-a' })).toString('base64url'),
        'not-base64-%%%',
        `${token}x`,
        '.',
      ];
      for (const forged of forgeries) {
        await refused(await call('GET', `${widgets}?limit=1&continue=${encodeURIComponent(forged)}`), 400, 'BadRequest', /^invalid continue token: continue key is not valid/);
      }
      await refused(await call('GET', `${widgets}?limit=1&resourceVersion=5&continue=${encodeURIComponent(token)}`), 400, 'BadRequest', /not allowed when using continue/);
    });
    it('answers bad selectors with a 400', async () => {
      const selectors = [
        'labelSelector=a%20in%20(((',
        `labelSelector=${encodeURIComponent('a in (' + 'b,'.repeat(3_000) + 'c')}`,
        `labelSelector=${encodeURIComponent('!'.repeat(5_000))}`,
        'labelSelector=%3D%3D%3D',
        'fieldSelector=spec.size%3D1',
        `fieldSelector=${encodeURIComponent('metadata.name=' + '\\'.repeat(2_001) + 'x')}`,
      ];
      for (const query of selectors) await refused(await call('GET', `${widgets}?${query}`), 400, 'BadRequest');
    });
  });

  describe('namespaces and keys (standalone)', () => {
    it('refuses a create in a namespace no Namespace could be named with kube-apiserver’s 404', async () => {
      const r = await call('POST', '/apis/limits.example.com/v1/namespaces/Bad_NS/widgets', widget('w'));
      await refused(r, 404, 'NotFound', /^namespaces "Bad_NS" not found$/);
      assert.deepEqual(r.json().details, { name: 'Bad_NS', kind: 'namespaces' });
      const applied = await call('PATCH', '/apis/limits.example.com/v1/namespaces/Bad_NS/widgets/w?fieldManager=t', widget('w'), 'application/apply-patch+yaml');
      await refused(applied, 404, 'NotFound', /^namespaces "Bad_NS" not found$/);
      await refused(await call('GET', '/apis/limits.example.com/v1/namespaces/Bad_NS/widgets/w'), 404, 'NotFound');
    });
    it('splits %2F in a path like a slash, so no namespace or name holds one', async () => {
      await refused(await call('POST', '/apis/limits.example.com/v1/namespaces/x%2Fy/widgets', widget('z')), 404, 'NotFound');
      assert.equal((await call('POST', '/apis/limits.example.com/v1/namespaces/x/widgets', widget('y'))).status, 201);
      await refused(await call('GET', '/apis/limits.example.com/v1/namespaces/x/widgets/y%2Fz'), 404, 'NotFound');
      assert.equal((await call('GET', '/apis/limits.example.com/v1/namespaces/x/widgets/y')).json().metadata.name, 'y');
    });
  });

  describe('/readyz?verbose', () => {
    it('shows an anonymous caller check names only, an authenticated one the details', async () => {
      const anonymous = await httpRequest(k.url, 'GET', '/readyz?verbose', { credentials: { ca: credentials.ca } });
      assert.equal(anonymous.status, 200);
      assert.match(anonymous.text, /^\[\+\]config ok$/m);
      assert.doesNotMatch(anonymous.text, /sha256|kindred\.config\.yaml|kindred-test-/);
      const authenticated = await call('GET', '/readyz?verbose');
      assert.match(authenticated.text, /\[\+\]config ok: serving config sha256:/);
    });
  });

  describe('int64 values', () => {
    const text = (name: string, size: string, extra = '') =>
      `{"apiVersion":"limits.example.com/v1","kind":"Widget","metadata":{"name":"${name}"},"spec":{"size":${size}${extra}}}`;
    it('keeps integers beyond 2^53 exact through create, get, list, watch and patches', async () => {
      const watch = httpWatch(k.url, `${widgets}?watch=true&fieldSelector=metadata.name%3Dexact`, credentials);
      try {
        assert.equal(await watch.status, 200);
        const created = await call('POST', widgets, text('exact', '123456789012345678', ',"x":{"big":-9223372036854775808}'));
        assert.equal(created.status, 201, created.text);
        assert.match(created.text, /"size":123456789012345678[,}]/);
        assert.match(created.text, /"big":-9223372036854775808[,}]/);
        assert.match((await call('GET', `${widgets}/exact`)).text, /"size":123456789012345678[,}]/);
        assert.match((await call('GET', widgets)).text, /"size":123456789012345678[,}]/);
        const merged = await call('PATCH', `${widgets}/exact`, '{"spec":{"size":9223372036854775807}}', 'application/merge-patch+json');
        assert.match(merged.text, /"size":9223372036854775807[,}]/);
        const tested = await call('PATCH', `${widgets}/exact`, '[{"op":"test","path":"/spec/size","value":9223372036854775807},{"op":"replace","path":"/spec/size","value":9007199254740993}]', 'application/json-patch+json');
        assert.equal(tested.status, 200, tested.text);
        assert.match(tested.text, /"size":9007199254740993[,}]/);
        const applied = await call('PATCH', `${widgets}/exact?fieldManager=t&force=true`, 'apiVersion: limits.example.com/v1\nkind: Widget\nmetadata: {name: exact}\nspec: {size: 1234567890123456789}\n', 'application/apply-patch+yaml');
        assert.match(applied.text, /"size":1234567890123456789[,}]/);
        assert.deepEqual((await watch.next(4)).map((e) => e.type), ['ADDED', 'MODIFIED', 'MODIFIED', 'MODIFIED']);
      } finally {
        watch.close();
      }
      // A watch's JSON lines, read as text (the test client's JSON.parse would round them).
      const events = await call('GET', `${widgets}?watch=true&fieldSelector=metadata.name%3Dexact&timeoutSeconds=1`);
      assert.match(events.text, /"type":"ADDED".*"size":1234567890123456789[,}]/);
      const table = await httpRequest(k.url, 'GET', `${widgets}/exact`, { credentials, headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
      assert.match(table.text, /"cells":\["exact",[^\]]*1234567890123456789/);
    });
    it('refuses an integer outside int64 with kube-apiserver’s 422', async () => {
      for (const size of ['9223372036854775808', '-9223372036854775809', '1e17']) {
        const r = await call('POST', widgets, text(`out-${size.length}`, size));
        await refused(r, 422, 'Invalid', /^Widget\.limits\.example\.com "out-\d+" is invalid: spec\.size: Invalid value: "number": spec\.size in body must be of type integer: "number"$/);
      }
    });
  });
});
