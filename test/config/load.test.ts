import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findConfig, loadConfig, loadConfigFile } from '../../config/index.ts';
import { resolvePlugin } from './fake-plugins.ts';
import { servingChecks } from '../../core/serving-checks.ts';

const root = mkdtempSync(join(tmpdir(), 'kindred-config-'));
after(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A fresh folder holding `files`; a package.json is added unless given, to bound the upward search. */
function folder(files: Record<string, string>): string {
  const dir = join(root, `case-${folders++}`);
  mkdirSync(dir);
  const all = { 'package.json': '{"name": "app"}', ...files };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const minimal = `resources:
  - group: things.example.com
    names: {kind: Widget, plural: widgets}
    versions: [{name: v1}]
`;

describe('loadConfigFile', () => {
  it('parses YAML', async () => {
    const dir = folder({ 'kindred.config.yaml': minimal });
    const result = await loadConfigFile(join(dir, 'kindred.config.yaml'));
    assert.ok(result.ok);
    assert.deepEqual(result.raw, {
      resources: [{ group: 'things.example.com', names: { kind: 'Widget', plural: 'widgets' }, versions: [{ name: 'v1' }] }],
    });
  });

  it('parses JSON', async () => {
    const dir = folder({ 'kindred.config.json': '{"resources": []}' });
    assert.deepEqual(await loadConfigFile(join(dir, 'kindred.config.json')), { ok: true, raw: { resources: [] } });
  });

  it('reports a YAML syntax error with its line and column', async () => {
    const dir = folder({ 'bad.yaml': 'resources:\n  - group: a.b\n    names: kind: X\n' });
    const result = await loadConfigFile(join(dir, 'bad.yaml'));
    assert.ok(!result.ok);
    assert.equal(result.errors[0]?.path, '');
    assert.match(result.errors[0]?.message ?? '', /^YAML error at line 3, column 12: Nested mappings/);
  });

  it('reports a duplicate key as an error with its position', async () => {
    const dir = folder({ 'dup.yaml': 'resources: []\nresources: []\n' });
    const result = await loadConfigFile(join(dir, 'dup.yaml'));
    assert.ok(!result.ok);
    assert.match(result.errors[0]?.message ?? '', /line 2, column 1: .*unique/i);
  });

  it('rejects a file of several YAML documents', async () => {
    const dir = folder({ 'multi.yaml': 'resources: []\n---\nresources: []\n' });
    const result = await loadConfigFile(join(dir, 'multi.yaml'));
    assert.ok(!result.ok);
    assert.match(result.errors[0]?.message ?? '', /YAML error at line 2, column 1: .*multiple documents/i);
  });

  it('reports a file it cannot read', async () => {
    const result = await loadConfigFile(join(root, 'missing.yaml'));
    assert.ok(!result.ok);
    assert.match(result.errors[0]?.message ?? '', /cannot read .*missing\.yaml/);
  });

  it('takes the kindred key of a package.json', async () => {
    const dir = folder({ 'package.json': JSON.stringify({ name: 'app', kindred: { resources: [] } }) });
    assert.deepEqual(await loadConfigFile(join(dir, 'package.json')), { ok: true, raw: { resources: [] } });
  });
});

describe('findConfig', () => {
  const table: { name: string; files: Record<string, string>; from?: string; found: string | undefined }[] = [
    { name: 'kindred.config.yaml', files: { 'kindred.config.yaml': minimal }, found: 'kindred.config.yaml' },
    { name: '.kindredrc (YAML without an extension)', files: { '.kindredrc': minimal }, found: '.kindredrc' },
    { name: '.kindredrc.yml', files: { '.kindredrc.yml': minimal }, found: '.kindredrc.yml' },
    { name: '.kindredrc.json', files: { '.kindredrc.json': '{"resources": []}' }, found: '.kindredrc.json' },
    { name: 'kindred.config.json', files: { 'kindred.config.json': '{"resources": []}' }, found: 'kindred.config.json' },
    {
      name: 'the kindred key of package.json',
      files: { 'package.json': JSON.stringify({ name: 'app', kindred: { resources: [] } }) },
      found: 'package.json',
    },
    { name: 'nothing in a package.json without the key', files: {}, found: undefined },
    { name: 'no JS config: it would run code', files: { 'kindred.config.js': 'export default {}', '.kindredrc.js': '' }, found: undefined },
    { name: 'a file even when its YAML is broken', files: { 'kindred.config.yaml': 'resources: [' }, found: 'kindred.config.yaml' },
    { name: 'kindred.config.yaml before package.json', files: { 'package.json': '{"kindred": {}}', 'kindred.config.yaml': minimal }, found: 'kindred.config.yaml' },
    {
      name: "a parent folder's config when the start folder has none",
      files: { 'kindred.config.yaml': minimal, 'src/deep/.keep': '' },
      from: 'src/deep',
      found: 'kindred.config.yaml',
    },
  ];
  for (const { name, files, from, found } of table) {
    it(`finds ${name}`, async () => {
      const dir = folder(files);
      assert.equal(await findConfig(join(dir, from ?? '')), found === undefined ? undefined : join(dir, found));
    });
  }

  it('refuses to search, running nothing, when the working directory has a cosmiconfig meta config in code', async (t) => {
    const marker = join(root, 'meta-config-ran');
    const dir = folder({ '.config/config.mjs': `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, '');` });
    const cwd = process.cwd();
    process.chdir(dir);
    t.after(() => process.chdir(cwd));
    await assert.rejects(findConfig(dir), /refusing to search/);
    assert.equal(existsSync(marker), false);
  });

  it('stops at the folder with a package.json', async () => {
    const dir = folder({ 'kindred.config.yaml': minimal, 'app/package.json': '{"name": "inner"}' });
    assert.equal(await findConfig(join(dir, 'app')), undefined);
  });
});

describe('loadConfig', () => {
  it('returns the kinds of a valid file with its path', async () => {
    const path = join(folder({ 'kindred.config.yaml': minimal }), 'kindred.config.yaml');
    const result = await loadConfig({ path }, resolvePlugin, servingChecks);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.path, path);
    assert.deepEqual(
      result.kinds.map((k) => k.names.kind),
      ['Widget'],
    );
  });

  it('returns the errors of an invalid file with its path', async () => {
    const path = join(folder({ 'kindred.config.yaml': minimal.replace('widgets', 'Widgets') }), 'kindred.config.yaml');
    const result = await loadConfig({ path }, resolvePlugin, servingChecks);
    assert.ok(!result.ok);
    assert.equal(result.path, path);
    assert.deepEqual(
      result.errors.map((e) => e.path),
      ['resources[0].names.plural'],
    );
  });

  it('returns a YAML syntax error as a config error', async () => {
    const path = join(folder({ 'kindred.config.yaml': 'resources: [' }), 'kindred.config.yaml');
    const result = await loadConfig({ path }, resolvePlugin, servingChecks);
    assert.ok(!result.ok);
    assert.match(result.errors[0]?.message ?? '', /line \d+, column \d+/);
  });
});
