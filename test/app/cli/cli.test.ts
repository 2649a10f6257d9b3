/** The kindred command as a user runs it: validate a config, serve one and read the kubectl line. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliScript, kindred, root, tsx } from '../../support/cli.ts';

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
      ['--import', tsx, '-e', cliScript, '--', 'serve', '--config', join(root, 'config/examples/apps.yaml'), '--secure-port', '0', '--write-kubeconfig', kubeconfig, '--data-dir', join(dir, 'data')],
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

describe('kindred export and import', () => {
  const widgets = `apiVersion: v1
kind: List
items:
  - {apiVersion: test.kindred.dev/v1, kind: Widget, metadata: {name: a, namespace: alpha}, spec: {size: 1}}
  - {apiVersion: test.kindred.dev/v1, kind: Widget, metadata: {name: b, namespace: beta}, spec: {size: 9223372036854775807}}
---
apiVersion: test.kindred.dev/v1
kind: Gadget
metadata: {name: g}
spec: {color: blue}
`;

  it('imports a YAML file into a data directory and exports it back as one List per kind, or as JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kindred-cli-'));
    try {
      await writeFile(join(dir, 'in.yaml'), widgets);
      const imported = kindred(['import', join(dir, 'in.yaml'), '--data-dir', join(dir, 'data')]);
      assert.equal(imported.status, 0, imported.stderr);
      assert.match(imported.stdout, /Widget\.test\.kindred\.dev: 2 imported/);
      assert.match(imported.stdout, /Gadget\.test\.kindred\.dev: 1 imported/);

      const yaml = kindred(['export', '--data-dir', join(dir, 'data')]);
      assert.equal(yaml.status, 0, yaml.stderr);
      const lists = parseAllDocuments(yaml.stdout).map((d) => d.toJS() as { kind: string; items: { kind: string; metadata: { name: string; resourceVersion: string } }[] });
      assert.deepEqual(
        lists.map((l) => [l.kind, l.items.map((i) => `${i.kind}/${i.metadata.name}`)]),
        [['List', ['Gadget/g']], ['List', ['Widget/a', 'Widget/b']]],
      );
      assert.ok(lists.every((l) => l.items.every((i) => /^[0-9]+$/.test(i.metadata.resourceVersion))));

      const json = kindred(['export', '--data-dir', join(dir, 'data'), '-o', join(dir, 'backup.json')]);
      assert.equal(json.status, 0, json.stderr);
      assert.match(json.stderr, /exported 3 objects of 2 kinds/);
      const backupText = await readFile(join(dir, 'backup.json'), 'utf8');
      const backup = JSON.parse(backupText) as { items: unknown[] };
      assert.equal(backup.items.length, 3);
      // int64 values stay exact through import and both export formats.
      assert.match(backupText, /"size":9223372036854775807\b/);
      assert.match(yaml.stdout, /size: 9223372036854775807\b/);

      // The JSON backup restores into a new directory.
      const restored = kindred(['import', join(dir, 'backup.json'), '--data-dir', join(dir, 'restored')]);
      assert.equal(restored.status, 0, restored.stderr);
      const again = kindred(['export', '--data-dir', join(dir, 'restored'), '-o', join(dir, 'again.json')]);
      assert.equal(again.status, 0, again.stderr);
      const names = (file: string) => readFile(join(dir, file), 'utf8').then((t) => (JSON.parse(t) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name));
      assert.deepEqual(await names('again.json'), await names('backup.json'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 with one line when there is no data, or an object has no name, and stores nothing of a bad file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kindred-cli-'));
    try {
      const none = kindred(['export', '--data-dir', join(dir, 'nothing')]);
      assert.equal(none.status, 1);
      assert.match(none.stderr, /^kindred export: no kindred data in /);
      await writeFile(join(dir, 'bad.yaml'), `${widgets}---\napiVersion: test.kindred.dev/v1\nkind: Widget\nmetadata: {namespace: alpha}\n`);
      const bad = kindred(['import', join(dir, 'bad.yaml'), '--data-dir', join(dir, 'data')]);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /^kindred import: object 4: apiVersion, kind and metadata.name are required/);
      const empty = kindred(['export', '--data-dir', join(dir, 'data')]);
      assert.equal(empty.status, 0, empty.stderr);
      assert.equal(empty.stdout, '');
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

describe('kindred validate --replicas', () => {
  it('warns when process-local kinds would be served by several replicas', () => {
    const config = join(root, 'config/examples/apps.yaml');
    assert.equal(kindred(['validate', '--config', config, '--replicas', '1']).stderr, '');
    const r = kindred(['validate', '--config', config, '--replicas', '3']);
    assert.equal(r.status, 0);
    assert.match(r.stderr, /warning: --replicas 3, but 3 kinds are stored in the process or on its local disk/);
    assert.equal(kindred(['validate', '--config', config, '--replicas', '0']).status, 2);
  });
});
