import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../core/types/object.ts';
import type { ResourceRequest } from '../../../core/handlers/request.ts';
import { encodedObject, encodedWatchLine, encodeList, replyList, replyOne } from '../../../core/handlers/present.ts';

const resource = { apiVersion: 'fleet.example.net/v1', kind: { names: { kind: 'Gadget', listKind: 'GadgetList' } }, columns: [] };
const req = { resource, info: { query: new URLSearchParams() }, now: () => new Date(0) } as unknown as ResourceRequest;
const object = (name: string): KubeObject =>
  Object.freeze({
    apiVersion: 'fleet.example.net/v2',
    kind: 'Gadget',
    metadata: Object.freeze({ name, namespace: 'default', resourceVersion: '7', labels: Object.freeze({ 'ünïcode': '✓' }) }),
    spec: Object.freeze({ size: 1, note: 'quote " and \\ and \n' }),
  }) as KubeObject;
const bodyOf = (reply: ReturnType<typeof replyList>): string => {
  assert.ok('json' in reply);
  return Buffer.concat(Array.isArray(reply.json) ? reply.json : [reply.json as Buffer]).toString('utf8');
};

describe('replyList(req, representation, items, meta)', () => {
  it('sends exactly the bytes JSON.stringify gives for the list object', () => {
    const items = [object('a'), object('b'), object('c')];
    const meta = { resourceVersion: '9', continue: 'token', remainingItemCount: 4 };
    const expected = JSON.stringify(encodeList(req, { kind: 'object' } as never, items, meta));
    assert.equal(bodyOf(replyList(req, { kind: 'object' } as never, items, meta)), expected);
  });

  it('sends an empty list as JSON.stringify does', () => {
    const expected = JSON.stringify(encodeList(req, { kind: 'object' } as never, [], { resourceVersion: '1' }));
    assert.equal(bodyOf(replyList(req, { kind: 'object' } as never, [], { resourceVersion: '1' })), expected);
  });
});

describe('encodedObject(resource, object)', () => {
  it('encodes a frozen object once and serves the same bytes after', () => {
    const o = object('a');
    const first = encodedObject(resource as never, o);
    assert.equal(first.toString(), JSON.stringify({ ...o, apiVersion: 'fleet.example.net/v1', kind: 'Gadget' }));
    assert.equal(encodedObject(resource as never, o), first);
  });

  it('encodes a frozen object again for another apiVersion of its kind', () => {
    const o = object('a');
    const v1 = encodedObject(resource as never, o);
    const v2 = encodedObject({ ...resource, apiVersion: 'fleet.example.net/v2' } as never, o);
    assert.match(v2.toString(), /"apiVersion":"fleet.example.net\/v2"/);
    assert.notEqual(v1, v2);
  });

  it('encodes an object that can still change on every call', () => {
    const o = structuredClone(object('a')) as KubeObject;
    const before = encodedObject(resource as never, o);
    o.spec = { size: 2 };
    assert.notEqual(encodedObject(resource as never, o).toString(), before.toString());
  });

  it('replies with the encoded bytes for the object representation only', () => {
    const reply = replyOne(req, { kind: 'partial', version: 'v1' } as never, object('a'));
    assert.ok('body' in reply);
  });
});

describe('encodedWatchLine(resource, type, object)', () => {
  it('is the line encodeJson({type, object}) gives, one buffer shared by every watcher of a frozen object', () => {
    const o = object('a');
    const line = encodedWatchLine(resource as never, 'MODIFIED', o);
    assert.equal(line.toString('utf8'), JSON.stringify({ type: 'MODIFIED', object: JSON.parse(encodedObject(resource as never, o).toString()) }) + '\n');
    // A thousand watchers of this change: the same bytes, not a thousand encodings.
    for (let i = 0; i < 1000; i++) assert.equal(encodedWatchLine(resource as never, 'MODIFIED', o), line);
    assert.match(encodedWatchLine(resource as never, 'DELETED', o).toString(), /^\{"type":"DELETED","object":\{/);
  });

  it('encodes an object that is not frozen afresh each time: it may have changed', () => {
    const o = { ...object('b'), spec: { size: 1 } } as KubeObject;
    const first = encodedWatchLine(resource as never, 'ADDED', o);
    (o.spec as { size: number }).size = 2;
    assert.match(encodedWatchLine(resource as never, 'ADDED', o).toString(), /"size":2/);
    assert.notEqual(encodedWatchLine(resource as never, 'ADDED', o), first);
  });
});

describe('int64 values in encoded objects', () => {
  it('encodes an integer beyond 2^53 exactly, in the object and in the list', () => {
    const big = Object.freeze({ ...object('big'), spec: Object.freeze({ size: 123456789012345678n }) }) as unknown as KubeObject;
    assert.match(encodedObject(resource as never, big).toString(), /"size":123456789012345678\b/);
    assert.match(bodyOf(replyList(req, { kind: 'object' } as never, [big], { resourceVersion: '1' })), /"size":123456789012345678\b/);
  });
});
