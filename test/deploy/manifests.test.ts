/**
 * The shipped deploy/ manifests stay in step with the example config they serve: the config
 * ConfigMap holds the example, and there is exactly one APIService per served group-version,
 * pointing at the Service, with cert-manager CA injection. Reads files only (no cluster).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { kindred } from '../support/cli.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const base = join(root, 'deploy/kustomize/base');
const docs = (file: string) => parseAllDocuments(readFileSync(join(base, file), 'utf8')).map((d) => d.toJSON() as Record<string, any>);

describe('deploy/kustomize/base', () => {
  it('ships the example config in the config ConfigMap', () => {
    assert.equal(readFileSync(join(base, 'config/kindred.yaml'), 'utf8'), readFileSync(join(root, 'config/examples/apps.yaml'), 'utf8'));
  });

  it('has one APIService per group-version the config serves, with the CA injected by cert-manager', () => {
    const config = parse(readFileSync(join(root, 'config/examples/apps.yaml'), 'utf8')) as { resources: { group: string; versions: { name: string; served: boolean }[] }[] };
    const served = new Set(config.resources.flatMap((r) => r.versions.filter((v) => v.served).map((v) => `${v.name}.${r.group}`)));
    const apiServices = docs('apiservices.yaml');
    assert.deepEqual(new Set(apiServices.map((a) => a.metadata.name)), served);
    for (const a of apiServices) {
      assert.equal(a.metadata.name, `${a.spec.version}.${a.spec.group}`);
      assert.deepEqual(a.spec.service, { namespace: 'kindred-system', name: 'kindred', port: 443 });
      assert.equal(a.metadata.annotations['cert-manager.io/inject-ca-from'], 'kindred-system/kindred-serving');
      assert.equal(a.spec.insecureSkipTLSVerify, undefined);
    }
  });

  it('issues the serving certificate for the name the aggregator verifies', () => {
    const serving = docs('certificate.yaml').find((d) => d.kind === 'Certificate' && d.metadata.name === 'kindred-serving');
    assert.ok(serving?.spec.dnsNames.includes('kindred.kindred-system.svc'));
  });

  it('binds the delegation roles, the reader role in kube-system among them', () => {
    const rbac = docs('rbac.yaml');
    const delegator = rbac.find((d) => d.kind === 'ClusterRoleBinding' && d.roleRef.name === 'system:auth-delegator');
    const reader = rbac.find((d) => d.kind === 'RoleBinding' && d.roleRef.name === 'extension-apiserver-authentication-reader');
    assert.ok(delegator);
    assert.equal(reader?.metadata.namespace, 'kube-system');
    const kustomization = parse(readFileSync(join(base, 'kustomization.yaml'), 'utf8')) as Record<string, unknown>;
    // A kustomization-wide namespace would move that RoleBinding out of kube-system.
    assert.equal(kustomization.namespace, undefined);
  });

  it('serves the process-local example kinds from one StatefulSet replica with a volume, told --replicas to match', () => {
    const [statefulSet] = docs('statefulset.yaml');
    const pod = statefulSet!.spec.template.spec;
    const container = pod.containers[0];
    assert.equal(statefulSet!.kind, 'StatefulSet');
    assert.equal(statefulSet!.spec.replicas, 1);
    assert.ok(container.args.includes(`--replicas=${statefulSet!.spec.replicas}`));
    const dataDir = (container.args as string[]).find((a) => a.startsWith('--data-dir='))?.slice('--data-dir='.length);
    const claim = statefulSet!.spec.volumeClaimTemplates[0];
    const mount = container.volumeMounts.find((m: { name: string }) => m.name === claim.metadata.name);
    assert.ok(dataDir?.startsWith(`${mount.mountPath}/`), `--data-dir ${dataDir} is not on the claimed volume`);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.fsGroup, pod.securityContext.runAsGroup);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.equal(container.livenessProbe.httpGet.path, '/livez');
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    const kustomization = parse(readFileSync(join(base, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    assert.ok(!kustomization.resources.includes('deployment.yaml'));
  });

  it('passes kindred validate at its replica count, which warns about the example kinds at two', () => {
    const [statefulSet] = docs('statefulset.yaml');
    const config = join(base, 'config/kindred.yaml');
    const atOne = kindred(['validate', '--config', config, `--replicas=${statefulSet!.spec.replicas}`]);
    assert.equal(atOne.status, 0, atOne.stderr);
    assert.equal(atOne.stderr, '');
    const atTwo = kindred(['validate', '--config', config, '--replicas=2']);
    assert.equal(atTwo.status, 0, atTwo.stderr);
    assert.match(atTwo.stderr, /warning: --replicas 2, but 3 kinds are stored in the process or on its local disk: postgreses.apps.example.com \(embedded\)/);
  });
});
