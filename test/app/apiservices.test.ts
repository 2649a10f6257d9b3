import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiServiceName, parseServiceRef, serviceDnsNames } from '../../app/apiservices.ts';
import { parseServeFlags, UsageError } from '../../app/cli/flags.ts';

describe('--manage-apiservices flags', () => {
  it('parses NAMESPACE/NAME[:PORT], port 443 by default', () => {
    assert.deepEqual(parseServiceRef('kindred-system/kindred'), { namespace: 'kindred-system', name: 'kindred', port: 443 });
    assert.deepEqual(parseServiceRef('ns/svc:8443'), { namespace: 'ns', name: 'svc', port: 8443 });
    for (const bad of ['kindred', 'ns/', '/svc', 'NS/svc', 'ns/svc:0', 'ns/svc:70000', 'ns/svc/x']) assert.equal(parseServiceRef(bad), undefined, bad);
  });

  it('needs the Service to point the APIServices at', () => {
    assert.throws(() => parseServeFlags(['--manage-apiservices']), UsageError);
    const flags = parseServeFlags(['--manage-apiservices', '--apiservice-service', 'kindred-system/kindred']);
    assert.equal(flags.manageApiServices, true);
    assert.equal(flags.apiServiceService, 'kindred-system/kindred');
  });

  it('names APIServices and serving certificates as the aggregator expects', () => {
    assert.equal(apiServiceName('apps.example.com/v1alpha1'), 'v1alpha1.apps.example.com');
    assert.deepEqual(serviceDnsNames({ namespace: 'ns', name: 'svc', port: 443 }), ['svc.ns.svc', 'svc.ns.svc.cluster.local']);
  });
});
