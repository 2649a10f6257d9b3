/** The pure pieces of the http plugin, as tables: JSON pointers, Link headers, record ↔ object. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FIELDS, RecordMapping, canonicalJson } from '../../../plugins/http/mapping.ts';
import { nextLink } from '../../../plugins/http/pages.ts';
import { getAt, parsePointer } from '../../../plugins/http/pointer.ts';
import { Endpoints } from '../../../plugins/http/endpoints.ts';
import { zoneKind } from './fixtures.ts';

describe('parsePointer / getAt', () => {
  const doc = { data: { results: [{ id: 1 }] }, 'a/b': { '~x': 2 } };
  for (const [pointer, expected] of [
    ['', doc],
    ['/data/results', [{ id: 1 }]],
    ['/data/results/0/id', 1],
    ['/a~1b/~0x', 2],
    ['/missing/deeper', undefined],
    ['/data/results/01', undefined],
  ] as const) {
    it(`${JSON.stringify(pointer)} finds ${JSON.stringify(expected)}`, () => assert.deepEqual(getAt(doc, parsePointer(pointer)), expected));
  }
  it('refuses a pointer without a leading slash or with a bad escape', () => {
    assert.throws(() => parsePointer('data'));
    assert.throws(() => parsePointer('/a~2'));
  });
});

describe('nextLink', () => {
  for (const [header, expected] of [
    ['<http://x/z?_page=2>; rel="next", <http://x/z?_page=3>; rel="last"', 'http://x/z?_page=2'],
    ['<http://x/z?_page=1>; rel="first", <http://x/z?_page=9>; rel="last"', undefined],
    ['<http://x/z?a=1,2>; rel="prev next"', 'http://x/z?a=1,2'],
    ['', undefined],
    [undefined, undefined],
  ] as const) {
    it(`${JSON.stringify(header)} → ${String(expected)}`, () => assert.equal(nextLink(header), expected));
  }
});

describe('RecordMapping with the default fields', () => {
  const mapping = new RecordMapping(zoneKind('Namespaced'), DEFAULT_FIELDS, true);

  it('reads id, namespace, metadata, an object status and the rest as spec', () => {
    const object = mapping.toObject({ id: 'eu', namespace: 'ops', metadata: { labels: { a: 'b' } }, status: { ready: true }, region: 'eu-1' });
    assert.deepEqual({ ...object, metadata: { ...object?.metadata, uid: 'x' } }, {
      apiVersion: 'infra.example.org/v1',
      kind: 'Zone',
      metadata: { name: 'eu', namespace: 'ops', labels: { a: 'b' }, uid: 'x' },
      spec: { region: 'eu-1' },
      status: { ready: true },
    });
  });

  it('keeps a status that is not an object in spec, and takes a numeric id as the name', () => {
    const object = mapping.toObject({ id: 7, namespace: 'ops', status: 'active' });
    assert.equal(object?.metadata.name, '7');
    assert.deepEqual(object?.spec, { status: 'active' });
    assert.equal(object?.status, undefined);
  });

  it('gives a record made outside kindred a uid derived from its identity', () => {
    const a = mapping.toObject({ id: 'eu', namespace: 'ops' });
    assert.match(a?.metadata.uid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(mapping.toObject({ id: 'eu', namespace: 'ops', x: 1 })?.metadata.uid, a?.metadata.uid);
    assert.notEqual(mapping.toObject({ id: 'eu', namespace: 'dev' })?.metadata.uid, a?.metadata.uid);
  });

  it('skips a record without a name, or without a namespace in a namespaced kind', () => {
    assert.equal(mapping.toObject({ namespace: 'ops' }), undefined);
    assert.equal(mapping.toObject({ id: 'eu' }), undefined);
    assert.equal(mapping.toObject('not a record'), undefined);
  });

  it('writes back what it read', () => {
    const record = { id: 'eu', namespace: 'ops', metadata: { labels: { a: 'b' }, uid: 'u' }, status: { ready: true }, region: 'eu-1' };
    const object = mapping.toObject(record);
    assert.ok(object);
    assert.deepEqual(mapping.toRecord(object), record);
  });

  it('hashes content whatever the key order', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
    assert.equal(mapping.tokenOf({ id: 'eu', x: 1, y: 2 }), mapping.tokenOf({ y: 2, x: 1, id: 'eu' }));
  });
});

describe('Endpoints', () => {
  const endpoints = new Endpoints({ url: 'http://svc:8080/api/zones/' }, 'namespace');
  for (const [what, url, expected] of [
    ['list of a namespace filters by the namespace field', endpoints.list('ops'), 'http://svc:8080/api/zones?namespace=ops'],
    ['list across namespaces does not', endpoints.list(undefined), 'http://svc:8080/api/zones'],
    ['an item is {url}/{name}, encoded', endpoints.item('get', 'ops', 'a b/c'), 'http://svc:8080/api/zones/a%20b%2Fc'],
    ['create is the url', endpoints.create('ops'), 'http://svc:8080/api/zones'],
  ] as const) {
    it(what, () => assert.equal(url.href, expected));
  }
  it('fills {namespace} in the url and takes per-verb paths relative to its origin', () => {
    const nested = new Endpoints({ url: 'http://svc/ns/{namespace}/zones', paths: { delete: '/zones/{name}?ns={namespace}' } }, undefined);
    assert.equal(nested.list('ops').href, 'http://svc/ns/ops/zones');
    assert.equal(nested.item('get', 'ops', 'a').href, 'http://svc/ns/ops/zones/a');
    assert.equal(nested.item('delete', 'ops', 'a').href, 'http://svc/zones/a?ns=ops');
  });
});
