import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo, splitTarget } from '../../core/request-info.ts';

describe('parseRequestInfo(method, url)', () => {
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['GET', '/apis/apps.example.com/v1/namespaces/ns1/widgets', { verb: 'list', namespace: 'ns1', resource: 'widgets', name: undefined }],
    ['GET', '/apis/apps.example.com/v1/namespaces/ns1/widgets/w1', { verb: 'get', namespace: 'ns1', resource: 'widgets', name: 'w1', nameInPath: true }],
    ['GET', '/apis/apps.example.com/v1/widgets', { verb: 'list', namespace: undefined, resource: 'widgets' }],
    ['GET', '/apis/apps.example.com/v1/widgets?watch=true', { verb: 'watch', namespace: undefined }],
    ['GET', '/apis/apps.example.com/v1/widgets?watch=1', { verb: 'watch' }],
    ['GET', '/apis/apps.example.com/v1/widgets?watch=false', { verb: 'list' }],
    ['GET', '/apis/apps.example.com/v1/watch/namespaces/ns1/widgets', { verb: 'watch', namespace: 'ns1', resource: 'widgets' }],
    ['GET', '/apis/apps.example.com/v1/watch/namespaces/ns1/widgets/w1', { verb: 'watch', name: 'w1', nameInPath: true }],
    ['GET', '/apis/apps.example.com/v1/namespaces/ns1/widgets?fieldSelector=metadata.name%3Dw2', { verb: 'list', name: 'w2', nameInPath: false }],
    ['GET', '/apis/apps.example.com/v1/namespaces/ns1/widgets/w1/status', { verb: 'get', subresource: 'status' }],
    ['HEAD', '/apis/apps.example.com/v1/namespaces/ns1/widgets/w1', { verb: 'get' }],
    ['POST', '/apis/apps.example.com/v1/namespaces/ns1/widgets', { verb: 'create' }],
    ['PUT', '/apis/apps.example.com/v1/namespaces/ns1/widgets/w1/status', { verb: 'update', subresource: 'status' }],
    ['PATCH', '/apis/apps.example.com/v1/namespaces/ns1/widgets/w1', { verb: 'patch' }],
    ['DELETE', '/apis/apps.example.com/v1/namespaces/ns1/widgets/w1', { verb: 'delete' }],
    ['DELETE', '/apis/apps.example.com/v1/namespaces/ns1/widgets', { verb: 'deletecollection' }],
    ['GET', '/apis/apps.example.com/v1/tenants/t1', { verb: 'get', namespace: undefined, resource: 'tenants', name: 't1' }],
  ];
  for (const [method, url, expected] of cases) {
    it(`reads ${method} ${url} as a resource request`, () => {
      const info = parseRequestInfo(method, url);
      assert.equal(info.isResourceRequest, true);
      for (const [key, value] of Object.entries(expected)) {
        assert.equal((info as unknown as Record<string, unknown>)[key], value, key);
      }
    });
  }

  for (const url of ['/apis', '/apis/apps.example.com', '/apis/apps.example.com/v1', '/version', '/openapi/v3', '/api/v1/pods']) {
    it(`reads GET ${url} as a non-resource request`, () => {
      assert.equal(parseRequestInfo('GET', url).isResourceRequest, false);
    });
  }

  it('freezes what it returns, so nothing downstream rewrites the request', () => {
    assert.ok(Object.isFrozen(parseRequestInfo('GET', '/apis/g.io/v1/widgets')));
  });
});

describe('splitTarget(url)', () => {
  const viaUrl = (url: string) => {
    const parsed = new URL(url, 'https://kindred.invalid');
    return { path: decodeURIComponent(parsed.pathname), query: [...parsed.searchParams] };
  };
  const targets = [
    '/apis/g.io/v1/namespaces/n/widgets/w?x=1&y=a%20b+c',
    '/apis/g.io/v1/widgets??a=b',
    '/apis/g.io/v1/widgets?labelSelector=app%3Din%20(a%2Cb)&limit=500&continue=abc.def',
    '/apis/g.io/v1/namespaces/ns/widgets/name%2Fwith%2Fslashes',
    "/apis/g.io/v1/widgets?q='\"<>`{}",
    '/apis/g.io/v1/widgets/ümlaut?v=ä',
    '/apis/g.io/v1/../v2/widgets',
    '/apis/g.io/v1/%2e%2E/widgets',
    '/apis/g.io/./v1/widgets',
    '/apis/g.io/v1/widgets#fragment?x=1',
    '/apis\\g.io\\v1',
    '//evil/apis',
    '/apis/g.io/v1/widgets?',
  ];
  // The decoded path is what kindred reads (the URL parser also %-escapes what the split keeps raw).
  for (const url of targets) {
    it(`splits ${url} as the URL parser does`, () => {
      const split = splitTarget(url);
      assert.deepEqual({ path: decodeURIComponent(split.rawPath), query: [...split.query] }, viaUrl(url));
    });
  }
});
