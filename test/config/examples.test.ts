import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../config/index.ts';
import { resolvePlugin } from './fake-plugins.ts';
import { servingChecks } from '../../core/serving-checks.ts';

const examples = fileURLToPath(new URL('../../config/examples/', import.meta.url));
const files = readdirSync(examples).filter((f) => /\.(ya?ml|json)$/.test(f));

describe('config/examples', () => {
  it('has examples', () => assert.ok(files.length > 0));

  for (const file of files) {
    it(`${file} validates`, async () => {
      const result = await loadConfig({ path: join(examples, file) }, resolvePlugin, servingChecks);
      assert.ok(result.ok, JSON.stringify(result, null, 2));
    });
  }

  it('apps.yaml declares Postgres and Bucket in apps.example.com and a cluster-scoped Tenant', async () => {
    const result = await loadConfig({ path: join(examples, 'apps.yaml') }, resolvePlugin, servingChecks);
    assert.ok(result.ok);
    assert.deepEqual(
      result.kinds.map((k) => [k.group, k.names.kind, k.names.plural, k.scope, k.backend.plugin]),
      [
        ['apps.example.com', 'Postgres', 'postgreses', 'Namespaced', 'embedded'],
        ['apps.example.com', 'Bucket', 'buckets', 'Namespaced', 'embedded'],
        ['platform.example.com', 'Tenant', 'tenants', 'Cluster', 'embedded'],
      ],
    );
    const postgres = result.kinds[0]?.versions[0];
    assert.deepEqual(
      postgres?.additionalPrinterColumns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Version', 'string', 0],
        ['Size', 'integer', 0],
        ['Storage', 'string', 1],
        ['Ready', 'string', 0],
      ],
    );
    assert.deepEqual(postgres?.subresources, { status: {} });
  });

  it('dns-zones.yaml serves a DNSZone from a REST collection with only its url; billing.yaml uses the other http options', async () => {
    const dns = await loadConfig({ path: join(examples, 'dns-zones.yaml') }, resolvePlugin, servingChecks);
    assert.ok(dns.ok);
    assert.deepEqual(dns.kinds.map((k) => [k.names.kind, k.scope, k.backend.plugin, Object.keys(k.backend.options).includes('url')]), [['DNSZone', 'Namespaced', 'http', true]]);
    // Defaults from the plugin's options schema are filled in.
    assert.equal(dns.kinds[0]?.backend.options.pollIntervalSeconds, 5);
    const billing = await loadConfig({ path: join(examples, 'billing.yaml') }, resolvePlugin, servingChecks);
    assert.ok(billing.ok);
    assert.deepEqual(billing.kinds.map((k) => [k.names.kind, k.scope, k.backend.plugin, k.backend.options.concurrency]), [['BillingAccount', 'Cluster', 'http', 'ifMatch']]);
  });
});
