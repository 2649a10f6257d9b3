/** The kindred command as a user runs it: validate a config, serve one and read the kubectl line. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
// tsx by absolute URL: the command also runs from folders outside the repo.
const tsx = import.meta.resolve('tsx');
const cliScript = `import('${join(root, 'app/cli/main.ts')}').then((m) => m.main(process.argv.slice(1))).then((code) => process.exit(code))`;

function kindred(args: string[], cwd = root) {
  return spawnSync(process.execPath, ['--import', tsx, '-e', cliScript, '--', ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
}

describe('kindred validate', () => {
  it('exits 0 for the example config', () => {
    const r = kindred(['validate', '--config', join(root, 'config/examples/apps.yaml')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid \(3 kinds\)/);
  });

  it('prints every error with its field path and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kindred-cli-'));
    try {
      const bad = `resources:
  - group: nodots
    names: {kind: widget, plural: Widgets}
    versions: [{name: v1, served: true, storage: true}]
    backend: {plugin: nosuchplugin}
`;
      await writeFile(join(dir, 'bad.yaml'), bad);
      const r = kindred(['validate', '--config', join(dir, 'bad.yaml')]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /resources\[0\]\.group: /);
      assert.match(r.stderr, /resources\[0\]\.names\.plural: /);
      assert.match(r.stderr, /resources\[0\]\.names\.kind: /);
      assert.match(r.stderr, /resources\[0\]\.backend\.plugin: /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('finds kindred.config.yaml in the current folder when --config is absent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kindred-cli-'));
    try {
      await writeFile(join(dir, 'package.json'), '{}');
      await writeFile(
        join(dir, 'kindred.config.yaml'),
        'resources:\n  - group: a.example.com\n    names: {kind: Thing, plural: things}\n    versions: [{name: v1, served: true, storage: true}]\n',
      );
      const r = kindred(['validate'], dir);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /kindred\.config\.yaml: valid \(1 kind\)\n/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('kindred serve', () => {
  it('prints the kubectl line for the kubeconfig it writes, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kindred-cli-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const child = spawn(
      process.execPath,
      ['--import', tsx, '-e', cliScript, '--', 'serve', '--config', join(root, 'config/examples/apps.yaml'), '--secure-port', '0', '--write-kubeconfig', kubeconfig],
      { cwd: root, env: { ...process.env, KINDRED_LOG_LEVEL: 'warn' } },
    );
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no kubectl line in: ${out}`)), 30_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('api-resources')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', () => reject(new Error(`exited early: ${out}`)));
      });
      assert.match(out, new RegExp(`kubectl --kubeconfig ${kubeconfig} api-resources`));
      assert.match(out, /kindred is serving at https:\/\/127\.0\.0\.1:\d+/);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('kindred rbac, version and new-plugin', () => {
  it('prints the ClusterRoles for the example config as YAML', () => {
    const r = kindred(['rbac', '--config', join(root, 'config/examples/apps.yaml')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^kind: ClusterRole$/m);
    assert.match(r.stdout, /name: kindred-edit/);
    assert.match(r.stdout, /rbac\.authorization\.k8s\.io\/aggregate-to-view: "true"/);
  });

  it('prints its version', () => {
    const r = kindred(['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^kindred \d+\.\d+\.\d+/);
  });

  it('scaffolds a plugin package and refuses to write into a folder that is not empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kindred-cli-'));
    try {
      const r = kindred(['new-plugin', '@acme/notes', join(dir, 'notes')]);
      assert.equal(r.status, 0, r.stderr);
      for (const file of ['package.json', 'tsconfig.json', 'src/index.ts', 'test/store.test.ts', 'README.md', 'kindred.yaml']) {
        assert.ok(existsSync(join(dir, 'notes', file)), file);
      }
      const pkg = JSON.parse(readFileSync(join(dir, 'notes', 'package.json'), 'utf8'));
      assert.equal(pkg.name, '@acme/notes');
      assert.match(pkg.peerDependencies.kindred, /^\^\d/);
      const again = kindred(['new-plugin', 'notes', join(dir, 'notes')]);
      assert.equal(again.status, 2);
      assert.match(again.stderr, /exists and is not empty/);
      assert.equal(kindred(['new-plugin', 'Not Valid']).status, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('kindred helps', () => {
  it('prints usage for --help of every command and exits 0', () => {
    for (const args of [['--help'], ['serve', '--help'], ['validate', '--help'], ['serve', '-h']]) {
      const r = kindred(args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /^Usage:/, args.join(' '));
    }
  });

  it('answers an unknown flag with one line and a hint, not the whole usage', () => {
    const r = kindred(['serve', '--no-such-flag']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "kindred: unknown flag: --no-such-flag\nRun 'kindred --help' for usage.\n");
  });

  it('says in one line that the port is in use, and exits 1', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const dir = await mkdtemp(join(tmpdir(), 'kindred-cli-'));
    try {
      const r = kindred(['serve', '--config', join(root, 'config/examples/apps.yaml'), '--secure-port', String(port)], dir);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^kindred: port ${port} on 127\\.0\\.0\\.1 is already in use \\(--secure-port, --bind-address\\)\\n$`, 'm'));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      taken.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says in one line that a certificate file cannot be read, and exits 1', async () => {
    const r = kindred(['serve', '--config', join(root, 'config/examples/apps.yaml'), '--tls-cert-file', '/nonexistent/tls.crt', '--tls-private-key-file', '/nonexistent/tls.key']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^kindred: cannot read \/nonexistent\/tls\.(crt|key): no such file\n$/m);
  });

  it('lists what a config would serve with validate -o table and -o yaml', () => {
    const table = kindred(['validate', '--config', join(root, 'config/examples/apps.yaml'), '-o', 'table']);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^GROUP\/VERSION\s+KIND\s+PLURAL\s+SCOPE\s+BACKEND\s+SUBRESOURCES$/m);
    assert.match(table.stdout, /^apps\.example\.com\/v1alpha1\s+Postgres\s+postgreses\s+Namespaced\s+\S+\s+status$/m);
    const yaml = kindred(['validate', '--config', join(root, 'config/examples/apps.yaml'), '-o', 'yaml']);
    assert.match(yaml.stdout, /- groupVersion: apps\.example\.com\/v1alpha1\n {2}kind: Postgres/);
  });
});
