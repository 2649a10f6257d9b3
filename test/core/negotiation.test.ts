import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateDiscovery, negotiateResource } from '../../core/negotiation.ts';
import { StatusError } from '../../core/status.ts';

const kubectlGet = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const metadataList =
  'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

describe('negotiateResource(accept, request)', () => {
  it('answers plain JSON when Accept is empty', () => {
    assert.deepEqual(negotiateResource(undefined, { list: true, read: true }), { kind: 'object' });
  });
  it('answers a v1 Table to kubectl get', () => {
    assert.deepEqual(negotiateResource(kubectlGet, { list: true, read: true }), { kind: 'table', version: 'v1' });
  });
  it('answers JSON instead of a Table to a write, which cannot produce one', () => {
    assert.deepEqual(negotiateResource(kubectlGet, { list: false, read: false }), { kind: 'object' });
  });
  it('answers PartialObjectMetadataList to the metadata client, skipping protobuf', () => {
    assert.deepEqual(negotiateResource(metadataList, { list: true, read: true }), { kind: 'partial', version: 'v1' });
  });
  it('skips a singular PartialObjectMetadata for a list and falls back to JSON', () => {
    const accept = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
    assert.deepEqual(negotiateResource(accept, { list: true, read: true }), { kind: 'object' });
  });
  it('honours q values', () => {
    const accept = 'application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io;q=0.9';
    assert.deepEqual(negotiateResource(accept, { list: true, read: true }), { kind: 'table', version: 'v1' });
  });
  it('answers */* with JSON', () => {
    assert.deepEqual(negotiateResource('application/json, */*;q=0.8', { list: false, read: true }), { kind: 'object' });
  });
  it('refuses protobuf alone with a 406 Status', () => {
    assert.throws(
      () => negotiateResource('application/vnd.kubernetes.protobuf', { list: false, read: true }),
      (e: unknown) => e instanceof StatusError && e.code === 406 && e.status.reason === 'NotAcceptable',
    );
  });
});

describe('negotiateDiscovery(accept)', () => {
  it('picks aggregated v2 first for kubectl 1.30+', () => {
    const accept =
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    assert.deepEqual(negotiateDiscovery(accept), { kind: 'aggregated', version: 'v2' });
  });
  it('picks v2beta1 for kubectl 1.27-1.29', () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    assert.deepEqual(negotiateDiscovery(accept), { kind: 'aggregated', version: 'v2beta1' });
  });
  it('answers the legacy APIGroupList to plain JSON', () => {
    assert.deepEqual(negotiateDiscovery('application/json'), { kind: 'legacy' });
  });
});
