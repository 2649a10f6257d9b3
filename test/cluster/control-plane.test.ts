import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { startControlPlane } from './control-plane.ts';
import type { ControlPlane } from './control-plane.ts';
import { clusterTestOptions } from './require.ts';

const run = promisify(execFile);

/** kubectl.1.33 from the folder the `kubectl` dispatcher resolves into (DESIGN.md, tests tier 2). */
function kubectlBinary(): string {
  for (const folder of (process.env['PATH'] ?? '').split(':')) {
    const candidate = join(folder, 'kubectl');
    if (existsSync(candidate)) return join(dirname(realpathSync(candidate)), 'kubectl.1.33');
  }
  throw new Error('kubectl is not on PATH');
}

interface KubectlResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

async function kubectl(args: string[]): Promise<KubectlResult> {
  try {
    const { stdout, stderr } = await run(kubectlBinary(), args, { timeout: 120_000 });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function residentMemory(pid: number): string {
  return /VmRSS:\s+(\d+ kB)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 'unknown';
}

/** PIDs of every process whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}

describe('startControlPlane()', clusterTestOptions(), () => {
  let cp: ControlPlane;
  let startupMs = 0;
  let stopped = false;

  before(async () => {
    const started = Date.now();
    cp = await startControlPlane();
    startupMs = Date.now() - started;
  });

  after(async () => {
    if (cp && !stopped) await cp.stop();
  });

  it('reports its startup time and memory', (t) => {
    const ids = cp.processIds();
    t.diagnostic(`startup ${startupMs} ms`);
    for (const [name, pid] of Object.entries(ids)) t.diagnostic(`${name} pid ${pid} rss ${residentMemory(pid)}`);
    assert.deepEqual(Object.keys(ids).sort(), ['etcd', 'kube-apiserver']);
  });

  it('lets the admin kubeconfig list the default namespace', async () => {
    const result = await kubectl(['--kubeconfig', cp.adminKubeconfigPath, 'get', 'namespaces', '-o', 'name']);
    assert.ok(result.ok, result.stderr);
    assert.match(result.stdout, /^namespace\/default$/m);
  });

  it('accepts the admin bearer token from the token file', async () => {
    const caFile = join(cp.dir, 'serving-ca.crt');
    const result = await kubectl([
      `--server=${cp.apiServerUrl}`,
      `--certificate-authority=${caFile}`,
      `--token=${cp.tokens.admin}`,
      'get',
      'namespace',
      'kube-system',
      '-o',
      'name',
    ]);
    assert.ok(result.ok, result.stderr);
    assert.equal(result.stdout.trim(), 'namespace/kube-system');
  });

  it('answers Forbidden to a client-cert user without RBAC bindings', async () => {
    const kubeconfig = await cp.kubeconfigFor('carol', ['team-c']);
    const result = await kubectl(['--kubeconfig', kubeconfig, 'get', 'secrets', '-n', 'default']);
    assert.equal(result.ok, false);
    assert.match(result.stderr, /Forbidden.*User "carol" cannot list resource "secrets"/);
  });

  it('publishes the front-proxy CA and allowed names in extension-apiserver-authentication', async () => {
    const result = await kubectl([
      '--kubeconfig', cp.adminKubeconfigPath,
      'get', 'configmap', 'extension-apiserver-authentication', '-n', 'kube-system', '-o', 'json',
    ]);
    assert.ok(result.ok, result.stderr);
    const data = (JSON.parse(result.stdout) as { data: Record<string, string> }).data;
    assert.equal(data['requestheader-client-ca-file']?.trim(), cp.frontProxy.caPem.trim());
    assert.deepEqual(JSON.parse(data['requestheader-allowed-names'] ?? 'null'), cp.frontProxy.allowedNames);
    assert.deepEqual(JSON.parse(data['requestheader-username-headers'] ?? 'null'), ['X-Remote-User']);
    assert.deepEqual(JSON.parse(data['requestheader-group-headers'] ?? 'null'), ['X-Remote-Group']);
    assert.deepEqual(JSON.parse(data['requestheader-extra-headers-prefix'] ?? 'null'), ['X-Remote-Extra-']);
    assert.equal(data['client-ca-file']?.trim(), cp.clientCa.certPem.trim());
  });

  it('serves again on the same URL after restartApiServer()', async () => {
    const before = cp.processIds()['kube-apiserver'];
    await cp.restartApiServer();
    assert.notEqual(cp.processIds()['kube-apiserver'], before);
    const result = await kubectl(['--kubeconfig', cp.adminKubeconfigPath, 'get', 'namespace', 'default', '-o', 'name']);
    assert.ok(result.ok, result.stderr);
  });

  it('finishes deleting a namespace once the controller manager runs', async () => {
    await cp.startControllerManager();
    const admin = ['--kubeconfig', cp.adminKubeconfigPath];
    const created = await kubectl([...admin, 'create', 'namespace', 'doomed']);
    assert.ok(created.ok, created.stderr);
    const deleted = await kubectl([...admin, 'delete', 'namespace', 'doomed', '--wait=true', '--timeout=90s']);
    assert.ok(deleted.ok, deleted.stderr);
    const gone = await kubectl([...admin, 'get', 'namespace', 'doomed']);
    assert.equal(gone.ok, false);
    assert.match(gone.stderr, /NotFound/);
  });

  it('leaves no child process and no temp folder after stop()', async () => {
    const pids = Object.values(cp.processIds());
    assert.equal(pids.length, 3);
    await cp.stop();
    stopped = true;
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `pid ${pid} still exists`);
    assert.deepEqual(processesMentioning(cp.dir), []);
    assert.equal(existsSync(cp.dir), false);
  });
});
