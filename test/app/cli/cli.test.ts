/** The kindred command as a user runs it: validate a config, serve one and read the kubectl line. Called in process. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { kindred as kindredProcess } from '../../support/cli.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type CliIo } from '../../../app/cli/main.ts';
import { eventually } from '../../support/eventually.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs `kindred <args>` in this process, with what it prints captured. */
async function kindred(args: string[], cwd = root, stopRequested: () => Promise<string> = () => new Promise(() => {})) {
  const io = { cwd, stdout: '', stderr: '' };
  const cli: CliIo = {
    cwd,
    stdout: (text) => void (io.stdout += text),
    stderr: (text) => void (io.stderr += text),
    stopRequested,
  };
  const status = await main(args, cli);
  return { status, stdout: io.stdout, stderr: io.stderr };
}

async function withFolder<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kindred-cli-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('kindred validate', () => {
  it('exits 0 for the example config', async () => {
    const r = await kindred(['validate', '--config', join(root, 'config/examples/apps.yaml')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid \(3 kinds\)/);
  });

  it('makes etcd kinds’ stores with --etcd-servers, without connecting, and refuses them without it', async () => {
    const config = join(root, 'config/examples/etcd.yaml');
    const without = await kindred(['validate', '--config', config]);
    assert.equal(without.status, 1, without.stdout);
    assert.match(without.stderr, /resources\[0\]\.backend\.plugin: .*needs kindred started with --etcd-servers/);
    // Nothing listens on port 1: validation checks the config, not that etcd is up.
    const withEtcd = await kindred(['validate', '--config', config, '--etcd-servers', 'http://127.0.0.1:1']);
    assert.equal(withEtcd.status, 0, withEtcd.stderr);
    assert.match(withEtcd.stdout, /valid \(1 kind\)/);
  });

  it('prints every error with its field path and exits 1', async () => {
    await withFolder(async (dir) => {
      const bad = `resources:
  - group: nodots
    names: {kind: widget, plural: Widgets}
    versions: [{name: v1, served: true, storage: true}]
    backend: {plugin: nosuchplugin}
`;
      await writeFile(join(dir, 'bad.yaml'), bad);
      const r = await kindred(['validate', '--config', join(dir, 'bad.yaml')]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /resources\[0\]\.group: /);
      assert.match(r.stderr, /resources\[0\]\.names\.plural: /);
      assert.match(r.stderr, /resources\[0\]\.names\.kind: /);
      assert.match(r.stderr, /resources\[0\]\.backend\.plugin: /);
    });
  });

  it('finds kindred.config.yaml in the current folder when --config is absent', async () => {
    await withFolder(async (dir) => {
      await writeFile(join(dir, 'package.json'), '{}');
      await writeFile(
        join(dir, 'kindred.config.yaml'),
        'resources:\n  - group: a.example.com\n    names: {kind: Thing, plural: things}\n    versions: [{name: v1, served: true, storage: true}]\n',
      );
      const r = await kindred(['validate'], dir);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /kindred\.config\.yaml: valid \(1 kind\)/);
    });
  });

  it('exits 2 with the usage for an unknown command', async () => {
    const r = await kindred(['frobnicate']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
  });
});

describe('kindred serve', () => {
  it('prints the kubectl line for the kubeconfig it writes, and returns 0 once asked to stop', async () => {
    await withFolder(async (dir) => {
      const kubeconfig = join(dir, 'kubeconfig');
      let stop = (): void => {};
      const stopRequested = () => new Promise<string>((resolve) => (stop = () => resolve('test')));
      const level = process.env.KINDRED_LOG_LEVEL;
      process.env.KINDRED_LOG_LEVEL = 'warn';
      try {
        const out = { text: '' };
        const io: CliIo = { cwd: dir, stdout: (t) => void (out.text += t), stderr: () => {}, stopRequested };
        const exited = main(['serve', '--config', join(root, 'config/examples/apps.yaml'), '--secure-port', '0', '--write-kubeconfig', 'kubeconfig'], io);
        await eventually('the kubectl line', () => out.text.includes('api-resources'));
        assert.match(out.text, new RegExp(`kubectl --kubeconfig ${kubeconfig} api-resources`));
        assert.match(out.text, /kindred is serving at https:\/\/127\.0\.0\.1:\d+/);
        stop();
        assert.equal(await exited, 0);
      } finally {
        if (level === undefined) delete process.env.KINDRED_LOG_LEVEL;
        else process.env.KINDRED_LOG_LEVEL = level;
      }
    });
  });
});

describe('kindred rbac, version and new-plugin', () => {
  it('prints the ClusterRoles for the example config as YAML', async () => {
    const r = await kindred(['rbac', '--config', join(root, 'config/examples/apps.yaml')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^kind: ClusterRole$/m);
    assert.match(r.stdout, /name: kindred-edit/);
    assert.match(r.stdout, /rbac\.authorization\.k8s\.io\/aggregate-to-view: "true"/);
  });

  it('prints its version', async () => {
    const r = await kindred(['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^kindred \d+\.\d+\.\d+/);
  });

  it('scaffolds a plugin package and refuses to write into a folder that is not empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kindred-cli-'));
    try {
      const r = await kindred(['new-plugin', '@acme/notes', join(dir, 'notes')]);
      assert.equal(r.status, 0, r.stderr);
      for (const file of ['package.json', 'tsconfig.json', 'src/index.ts', 'test/store.test.ts', 'README.md', 'kindred.yaml']) {
        assert.ok(existsSync(join(dir, 'notes', file)), file);
      }
      const pkg = JSON.parse(readFileSync(join(dir, 'notes', 'package.json'), 'utf8'));
      assert.equal(pkg.name, '@acme/notes');
      assert.match(pkg.peerDependencies.kindred, /^\^\d/);
      const again = await kindred(['new-plugin', 'notes', join(dir, 'notes')]);
      assert.equal(again.status, 2);
      assert.match(again.stderr, /exists and is not empty/);
      assert.equal((await kindred(['new-plugin', 'Not Valid'])).status, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('kindred helps', () => {
  it('prints usage for --help of every command and exits 0', async () => {
    for (const args of [['--help'], ['serve', '--help'], ['validate', '--help'], ['serve', '-h']]) {
      const r = await kindred(args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /^Usage:/, args.join(' '));
    }
  });

  it('answers an unknown flag with one line and a hint, not the whole usage', async () => {
    const r = await kindred(['serve', '--no-such-flag']);
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
      const r = await kindred(['serve', '--config', join(root, 'config/examples/apps.yaml'), '--secure-port', String(port)], dir);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^kindred: port ${port} on 127\\.0\\.0\\.1 is already in use \\(--secure-port, --bind-address\\)\\n$`, 'm'));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      taken.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says in one line that a certificate file cannot be read, and exits 1', async () => {
    const r = await kindred(['serve', '--config', join(root, 'config/examples/apps.yaml'), '--tls-cert-file', '/nonexistent/tls.crt', '--tls-private-key-file', '/nonexistent/tls.key']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^kindred: cannot read \/nonexistent\/tls\.(crt|key): no such file\n$/m);
  });

  it('lists what a config would serve with validate -o table and -o yaml', async () => {
    const table = await kindred(['validate', '--config', join(root, 'config/examples/apps.yaml'), '-o', 'table']);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^GROUP\/VERSION\s+KIND\s+PLURAL\s+SCOPE\s+BACKEND\s+SUBRESOURCES$/m);
    assert.match(table.stdout, /^apps\.example\.com\/v1alpha1\s+Postgres\s+postgreses\s+Namespaced\s+\S+\s+status$/m);
    const yaml = await kindred(['validate', '--config', join(root, 'config/examples/apps.yaml'), '-o', 'yaml']);
    assert.match(yaml.stdout, /- groupVersion: apps\.example\.com\/v1alpha1\n {2}kind: Postgres/);
  });
});

/** export and import write to the process's own output: run as a user runs them. */
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
      const imported = kindredProcess(['import', join(dir, 'in.yaml'), '--data-dir', join(dir, 'data')]);
      assert.equal(imported.status, 0, imported.stderr);
      assert.match(imported.stdout, /Widget\.test\.kindred\.dev: 2 imported/);
      assert.match(imported.stdout, /Gadget\.test\.kindred\.dev: 1 imported/);

      const yaml = kindredProcess(['export', '--data-dir', join(dir, 'data')]);
      assert.equal(yaml.status, 0, yaml.stderr);
      const lists = parseAllDocuments(yaml.stdout).map((d) => d.toJS() as { kind: string; items: { kind: string; metadata: { name: string; resourceVersion: string } }[] });
      assert.deepEqual(
        lists.map((l) => [l.kind, l.items.map((i) => `${i.kind}/${i.metadata.name}`)]),
        [['List', ['Gadget/g']], ['List', ['Widget/a', 'Widget/b']]],
      );
      assert.ok(lists.every((l) => l.items.every((i) => /^[0-9]+$/.test(i.metadata.resourceVersion))));

      const json = kindredProcess(['export', '--data-dir', join(dir, 'data'), '-o', join(dir, 'backup.json')]);
      assert.equal(json.status, 0, json.stderr);
      assert.match(json.stderr, /exported 3 objects of 2 kinds/);
      const backupText = await readFile(join(dir, 'backup.json'), 'utf8');
      const backup = JSON.parse(backupText) as { items: unknown[] };
      assert.equal(backup.items.length, 3);
      // int64 values stay exact through import and both export formats.
      assert.match(backupText, /"size":9223372036854775807\b/);
      assert.match(yaml.stdout, /size: 9223372036854775807\b/);

      // The JSON backup restores into a new directory.
      const restored = kindredProcess(['import', join(dir, 'backup.json'), '--data-dir', join(dir, 'restored')]);
      assert.equal(restored.status, 0, restored.stderr);
      const again = kindredProcess(['export', '--data-dir', join(dir, 'restored'), '-o', join(dir, 'again.json')]);
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
      const none = kindredProcess(['export', '--data-dir', join(dir, 'nothing')]);
      assert.equal(none.status, 1);
      assert.match(none.stderr, /^kindred export: no kindred data in /);
      await writeFile(join(dir, 'bad.yaml'), `${widgets}---\napiVersion: test.kindred.dev/v1\nkind: Widget\nmetadata: {namespace: alpha}\n`);
      const bad = kindredProcess(['import', join(dir, 'bad.yaml'), '--data-dir', join(dir, 'data')]);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /^kindred import: object 4: apiVersion, kind and metadata.name are required/);
      const empty = kindredProcess(['export', '--data-dir', join(dir, 'data')]);
      assert.equal(empty.status, 0, empty.stderr);
      assert.equal(empty.stdout, '');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('kindred validate --replicas', () => {
  it('warns when process-local kinds would be served by several replicas', async () => {
    const config = join(root, 'config/examples/apps.yaml');
    assert.equal((await kindred(['validate', '--config', config, '--replicas', '1'])).stderr, '');
    const r = await kindred(['validate', '--config', config, '--replicas', '3']);
    assert.equal(r.status, 0);
    assert.match(r.stderr, /warning: --replicas 3, but 3 kinds are stored in the process or on its local disk/);
    assert.equal((await kindred(['validate', '--config', config, '--replicas', '0'])).status, 2);
  });
});
