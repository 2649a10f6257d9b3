/**
 * The store conformance suite for the http plugin, against a real json-server 0.17 with the
 * simplest config: only the collection's url. Each store gets a collection of its own.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { storeConformance } from '../../../lib/testing/index.ts';
import { startJsonServer, type JsonServer } from '../../support/json-server.ts';
import { httpStore, zoneKind } from './fixtures.ts';

const COLLECTIONS = 120;
let service: JsonServer;
let next = 0;

before(async () => {
  const db: Record<string, unknown[]> = {};
  for (let i = 0; i < COLLECTIONS; i++) db[`c${i}`] = [];
  service = await startJsonServer(db);
});
after(async () => {
  await service?.dispose();
});

storeConformance('http against json-server', async (scope) => {
  assert.ok(next < COLLECTIONS, 'add collections to the fixture db');
  const kind = zoneKind(scope);
  const store = await httpStore(kind, { url: `${service.origin}/c${next++}`, pollIntervalSeconds: 0.05 });
  return { store, kind, openWatches: () => store.openWatches };
});
