/**
 * Discovery, OpenAPI and routing agree on what a kind serves, for every combination of
 * store capabilities: each is read back from what it actually produces (the discovery
 * documents, the OpenAPI v3 document, the router's answer to each method on each path)
 * and compared with the others and with what the combination should serve.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot, kindKey } from '../../core/snapshot.ts';
import { handlerFor, resolveResource } from '../../core/handlers/index.ts';
import { parseRequestInfo, type ResourceRequestInfo } from '../../core/request-info.ts';
import { rbacRulesOf } from '../../core/served.ts';
import { StatusError } from '../../core/status.ts';
import type { Storage, Verb } from '../../core/types/storage.ts';
import { kind as kindOf, version as versionOf } from './openapi/fixtures.ts';

type Capability = 'get' | 'list' | 'watch' | 'create' | 'update' | 'delete' | 'deleteCollection';

/** A store with exactly these methods; none is ever called. */
function storeWith(capabilities: readonly Capability[]): Storage {
  const store: Record<string, unknown> = { close: async () => {} };
  for (const c of capabilities) store[c] = () => assert.fail(`${c} called`);
  return store as unknown as Storage;
}

const combinations: [string, Capability[], Record<string, Verb[]>][] = [
  ['every capability', ['get', 'list', 'watch', 'create', 'update', 'delete'], {
    '': ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    scale: ['get', 'patch', 'update'], status: ['get', 'patch', 'update'],
  }],
  ['a store without watch', ['get', 'list', 'create', 'update', 'delete'], {
    '': ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update'],
    scale: ['get', 'patch', 'update'], status: ['get', 'patch', 'update'],
  }],
  ['a store without update', ['get', 'list', 'watch', 'create', 'delete'], {
    '': ['create', 'delete', 'deletecollection', 'get', 'list', 'watch'], scale: ['get'], status: ['get'],
  }],
  ['a read-only store', ['get', 'list', 'watch'], { '': ['get', 'list', 'watch'], scale: ['get'], status: ['get'] }],
  ['a create-only store', ['create'], { '': ['create'] }],
  ['a store that updates but cannot read', ['list', 'update', 'delete'], { '': ['deletecollection', 'list'] }],
  ['a store with native collection delete only', ['list', 'deleteCollection'], { '': ['deletecollection', 'list'] }],
  ['a watcher that cannot list', ['get', 'watch'], { '': ['get'], scale: ['get'], status: ['get'] }],
];

const group = 'apps.example.com';
const gv = `/apis/${group}/v1alpha1`;
const item = `${gv}/namespaces/{namespace}/postgreses/{name}`;

function snapshotFor(capabilities: Capability[]) {
  const version = versionOf({ subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } });
  const kind = kindOf({ versions: [version] });
  return buildSnapshot([kind], new Map([[kindKey(kind), storeWith(capabilities)]]));
}

const sorted = (verbs: Iterable<string>): string[] => [...new Set(verbs)].sort();

/** path suffix ('' | 'status' | 'scale') → verbs, from the legacy and the aggregated discovery documents. */
function fromDiscovery(snapshot: ReturnType<typeof snapshotFor>): [Record<string, string[]>, Record<string, string[]>] {
  const legacy: Record<string, string[]> = {};
  const list = JSON.parse(snapshot.discovery.resourceLists.get(`${group}/v1alpha1`)!.body);
  for (const r of list.resources as { name: string; verbs: string[] }[]) legacy[r.name.split('/')[1] ?? ''] = sorted(r.verbs);
  const aggregated: Record<string, string[]> = {};
  const resource = JSON.parse(snapshot.discovery.aggregated.v2.body).items[0].versions[0].resources[0];
  aggregated[''] = sorted(resource.verbs);
  for (const s of resource.subresources ?? []) aggregated[s.subresource] = sorted(s.verbs);
  return [legacy, aggregated];
}

/** The same, from the OpenAPI v3 document's operations. */
function fromOpenAPI(snapshot: ReturnType<typeof snapshotFor>): Record<string, string[]> {
  const doc = JSON.parse(snapshot.openapi.v3(`${group}/v1alpha1`)!.body);
  const out: Record<string, string[]> = {};
  const add = (sub: string, verb: string) => (out[sub] = sorted([...(out[sub] ?? []), verb]));
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { parameters?: { name: string }[] }>>)) {
    const sub = path.startsWith(`${item}/`) ? path.slice(item.length + 1) : '';
    const onItem = path.startsWith(item);
    for (const [method, op] of Object.entries(ops)) {
      if (method === 'parameters') continue;
      if (method === 'get' && !onItem) {
        add(sub, 'list');
        if (op.parameters?.some((p) => p.name === 'watch')) add(sub, 'watch');
      } else if (method === 'get') add(sub, 'get');
      else if (method === 'post') add(sub, 'create');
      else if (method === 'put') add(sub, 'update');
      else if (method === 'patch') add(sub, 'patch');
      else if (method === 'delete') add(sub, onItem ? 'delete' : 'deletecollection');
    }
  }
  return out;
}

/** The same, from the router: which verbs on which paths reach a handler. */
function fromRouting(snapshot: ReturnType<typeof snapshotFor>): Record<string, string[]> {
  const requests: [Verb, string, string][] = [
    ['list', 'GET', ''], ['watch', 'GET', '?watch=true'], ['create', 'POST', ''], ['deletecollection', 'DELETE', ''],
    ['get', 'GET', '/x'], ['update', 'PUT', '/x'], ['patch', 'PATCH', '/x'], ['delete', 'DELETE', '/x'],
  ];
  const out: Record<string, string[]> = {};
  for (const sub of ['', 'status', 'scale', 'bogus']) {
    for (const [verb, method, rest] of requests) {
      if (sub !== '' && !rest.startsWith('/x')) continue;
      const info = parseRequestInfo(method, `${gv}/namespaces/default/postgreses${rest}${sub ? `/${sub}` : ''}`) as ResourceRequestInfo;
      try {
        handlerFor(resolveResource(snapshot, info), info);
        out[sub] = sorted([...(out[sub] ?? []), verb]);
      } catch (error) {
        assert.ok(error instanceof StatusError && (error.code === 404 || error.code === 405), String(error));
      }
    }
  }
  return out;
}

describe('the served-resource model', () => {
  for (const [name, capabilities, expected] of combinations) {
    it(`serves the same verbs in discovery, OpenAPI and routing for ${name}`, () => {
      const snapshot = snapshotFor(capabilities);
      const [legacy, aggregated] = fromDiscovery(snapshot);
      const want = Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, sorted(v)]));
      assert.deepEqual(legacy, want, 'legacy discovery');
      // Aggregated discovery lists a resource even when it serves no verb at the top level.
      assert.deepEqual(aggregated, want, 'aggregated discovery');
      assert.deepEqual(fromOpenAPI(snapshot), Object.fromEntries(Object.entries(want).filter(([, v]) => v.length > 0)), 'OpenAPI');
      assert.deepEqual(fromRouting(snapshot), want, 'routing');
    });
  }

  it('answers 405 for a served path without the verb and 404 for an unknown subresource', () => {
    const snapshot = snapshotFor(['get', 'list', 'watch']);
    const status = (method: string, path: string): number => {
      const info = parseRequestInfo(method, `${gv}/namespaces/default/postgreses${path}`) as ResourceRequestInfo;
      try {
        handlerFor(resolveResource(snapshot, info), info);
        return 200;
      } catch (error) {
        return (error as StatusError).code;
      }
    };
    assert.equal(status('PUT', '/x'), 405);
    assert.equal(status('PATCH', '/x/scale'), 405);
    assert.equal(status('DELETE', '/x/status'), 405);
    assert.equal(status('GET', '/x/bogus'), 404);
  });

  it('derives the RBAC rules that grant what the kind serves, subresources included', () => {
    const snapshot = snapshotFor(['get', 'list', 'watch']);
    const r = snapshot.resources[0]!;
    assert.deepEqual(rbacRulesOf(r.group, r.plural, r), [
      { apiGroups: [group], resources: ['postgreses'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [group], resources: ['postgreses/scale', 'postgreses/status'], verbs: ['get'] },
    ]);
  });
});
