/**
 * Every everyday kubectl command against a running kindred, with the real kubectl binaries
 * of 1.27 (direct OpenAPI v2 protobuf), 1.29 (v2beta1 discovery) and 1.33. Each test is one user action and checks what the user would see.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { requireKubectl } from '../support/tools.ts';
import { E2E_CONFIG, gadget } from '../support/gadget-config.ts';

for (const version of ['1.27', '1.29', '1.33']) {
  describe(`kubectl ${version}`, requireKubectl(version), () => {
    let k: TestKindred;
    const kubectl = (...args: string[]) => k.kubectl(version, args);
    const ok = async (...args: string[]) => {
      const r = await kubectl(...args);
      assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
      return r.stdout;
    };
    const fails = async (...args: string[]) => {
      const r = await kubectl(...args);
      assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should have failed:\n${r.stdout}`);
      return r.stderr;
    };
    const create = (json: string) => k.kubectl(version, ['create', '-f', '-'], { input: json });

    before(async () => {
      k = await startTestKindred(E2E_CONFIG);
    });
    after(async () => {
      await k?.stop();
    });

    it('api-resources lists each kind with its short names, scope and kind', async () => {
      const out = await ok('api-resources', '-o', 'wide');
      assert.match(out, /^gadgets\s+gd\s+fleet\.example\.net\/v1\s+true\s+Gadget\s+create,delete,deletecollection,get,list,patch,update,watch\s+fleet$/m);
      assert.match(out, /^zones\s+infra\.example\.org\/v1beta1\s+false\s+Zone/m);
    });

    it('create makes an object and get shows its printer columns', async () => {
      const r = await create(gadget('g-create', { size: 3, color: 'red' }));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /gadget\.fleet\.example\.net\/g-create created/);
      const out = await ok('get', 'gadgets', 'g-create');
      assert.match(out, /^NAME\s+SIZE\s+PHASE\s+AGE$/m);
      // A column whose path finds nothing is an empty cell.
      assert.match(out, /^g-create\s+3\s+\d+s$/m);
    });

    it('get -o wide adds the columns of priority above 0', async () => {
      const out = await ok('get', 'gd', 'g-create', '-o', 'wide');
      assert.match(out, /^NAME\s+SIZE\s+COLOR\s+PHASE\s+AGE$/m);
      assert.match(out, /^g-create\s+3\s+red\s+\d+s$/m);
    });

    it('get -o yaml and -o json show the object with server-set metadata', async () => {
      const yaml = await ok('get', 'gadget', 'g-create', '-o', 'yaml');
      assert.match(yaml, /^apiVersion: fleet\.example\.net\/v1$/m);
      assert.match(yaml, /^kind: Gadget$/m);
      const object = JSON.parse(await ok('get', 'gadget', 'g-create', '-o', 'json'));
      assert.equal(object.metadata.namespace, 'default');
      assert.equal(object.metadata.generation, 1);
      assert.match(object.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.match(object.metadata.resourceVersion, /^\d+$/);
      assert.match(object.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    it('get -w shows ADDED, MODIFIED and DELETED as they happen', async () => {
      const watch = k.kubectlStream(version, ['get', 'gadgets', '-w', '--output-watch-events']);
      try {
        await watch.waitFor(/ADDED\s+g-create/);
        assert.equal((await create(gadget('g-watch', { size: 1 }))).code, 0);
        await watch.waitFor(/ADDED\s+g-watch\s+1/);
        await ok('patch', 'gadget', 'g-watch', '--type', 'merge', '-p', '{"spec":{"size":7}}');
        await watch.waitFor(/MODIFIED\s+g-watch\s+7/);
        await ok('delete', 'gadget', 'g-watch');
        await watch.waitFor(/DELETED\s+g-watch/);
      } finally {
        watch.stop();
      }
    });

    it('apply creates, then updates, an object', async () => {
      const path = await k.file(`apply-${version}.json`, gadget('g-apply', { size: 1, color: 'blue' }));
      assert.match(await ok('apply', '-f', path), /gadget\.fleet\.example\.net\/g-apply created/);
      await k.file(`apply-${version}.json`, gadget('g-apply', { size: 2, color: 'blue' }));
      assert.match(await ok('apply', '-f', path), /gadget\.fleet\.example\.net\/g-apply configured/);
      assert.equal(await ok('get', 'gadget', 'g-apply', '-o', 'jsonpath={.spec.size} {.metadata.generation}'), '2 2');
      assert.match(await ok('apply', '-f', path), /gadget\.fleet\.example\.net\/g-apply unchanged/);
    });

    it('patch applies merge and JSON patches, and refuses a strategic merge patch', async () => {
      await ok('patch', 'gadget', 'g-create', '--type', 'merge', '-p', '{"spec":{"color":"green"}}');
      await ok('patch', 'gadget', 'g-create', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/size","value":5}]');
      assert.equal(await ok('get', 'gadget', 'g-create', '-o', 'jsonpath={.spec.color}/{.spec.size}'), 'green/5');
      const stderr = await fails('patch', 'gadget', 'g-create', '-p', '{"spec":{"size":6}}');
      assert.match(stderr, /strategic/i);
    });

    it('label sets labels that -l selects by', async () => {
      assert.equal((await create(gadget('g-label-a', { size: 1 }))).code, 0);
      assert.equal((await create(gadget('g-label-b', { size: 1 }))).code, 0);
      await ok('label', 'gadget', 'g-label-a', 'tier=gold');
      await ok('label', 'gadget', 'g-label-b', 'tier=silver');
      assert.equal(await ok('get', 'gadgets', '-l', 'tier=gold', '-o', 'name'), 'gadget.fleet.example.net/g-label-a\n');
      assert.equal(await ok('get', 'gadgets', '-l', 'tier in (gold,silver)', '-o', 'name'), 'gadget.fleet.example.net/g-label-a\ngadget.fleet.example.net/g-label-b\n');
      assert.match(await ok('get', 'gadgets', '-l', '!tier', '-o', 'name'), /g-create/);
    });

    it('--field-selector selects by name and refuses other fields', async () => {
      assert.equal(await ok('get', 'gadgets', '--field-selector', 'metadata.name=g-label-b', '-o', 'name'), 'gadget.fleet.example.net/g-label-b\n');
      const stderr = await fails('get', 'gadgets', '--field-selector', 'spec.size=1');
      assert.match(stderr, /field label not supported: spec\.size/);
    });

    it('--chunk-size pages through every object', async () => {
      const all = await ok('get', 'gadgets', '-o', 'name');
      const paged = await ok('get', 'gadgets', '-o', 'name', '--chunk-size', '1');
      assert.equal(paged, all);
      assert.ok(paged.split('\n').filter(Boolean).length >= 4);
    });

    it('replace with a stale object is refused with a conflict', async () => {
      const stale = await ok('get', 'gadget', 'g-label-a', '-o', 'json');
      await ok('patch', 'gadget', 'g-label-a', '--type', 'merge', '-p', '{"spec":{"size":9}}');
      const path = await k.file(`stale-${version}.json`, stale);
      const stderr = await fails('replace', '-f', path);
      assert.match(stderr, /Conflict|the object has been modified/);
      assert.equal(await ok('get', 'gadget', 'g-label-a', '-o', 'jsonpath={.spec.size}'), '9');
    });

    it('works with cluster-scoped kinds', async () => {
      const zone = JSON.stringify({ apiVersion: 'infra.example.org/v1beta1', kind: 'Zone', metadata: { name: `z-${version}` }, spec: { region: 'eu-1' } });
      const r = await k.kubectl(version, ['create', '-f', '-'], { input: zone });
      assert.equal(r.code, 0, r.stderr);
      assert.match(await ok('get', 'zones'), new RegExp(`^z-${version.replace('.', '\\.')}\\s+eu-1\\s+\\d+s$`, 'm'));
      await ok('delete', 'zone', `z-${version}`);
    });

    it('-A lists across namespaces with a NAMESPACE column', async () => {
      const other = JSON.stringify({ apiVersion: 'fleet.example.net/v1', kind: 'Gadget', metadata: { name: 'g-other', namespace: 'team-b' }, spec: { size: 4 } });
      assert.equal((await create(other)).code, 0);
      const out = await ok('get', 'gadgets', '-A');
      assert.match(out, /^NAMESPACE\s+NAME\s+SIZE/m);
      assert.match(out, /^team-b\s+g-other\s+4/m);
      assert.match(out, /^default\s+g-create/m);
    });

    it('wait --for=jsonpath returns once the object matches', async () => {
      const waiting = kubectl('wait', 'gadget/g-label-b', '--for=jsonpath={.spec.size}=8', '--timeout=30s');
      await ok('patch', 'gadget', 'g-label-b', '--type', 'merge', '-p', '{"spec":{"size":8}}');
      const r = await waiting;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /condition met/);
    });

    it('diff shows what apply would change, using a server dry run, and changes nothing', async () => {
      const path = await k.file(`diff-${version}.json`, gadget('g-apply', { size: 42, color: 'blue' }));
      const r = await kubectl('diff', '-f', path);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /^-\s+size: 2$/m);
      assert.match(r.stdout, /^\+\s+size: 42$/m);
      assert.equal(await ok('get', 'gadget', 'g-apply', '-o', 'jsonpath={.spec.size}'), '2');
    });

    it('explain shows the schema with descriptions', async () => {
      const out = await ok('explain', 'gadgets.spec');
      assert.match(out, /KIND:\s+Gadget/);
      assert.match(out, /What the user wants/);
      assert.match(out, /size\s+<integer>/);
      assert.match(out, /How many units to run/);
    });

    it('edit saves what the editor changed', async () => {
      const editor = `sed -i 's/color: blue/color: teal/'`;
      const r = await k.kubectl(version, ['edit', 'gadget', 'g-apply'], { env: { KUBE_EDITOR: editor, EDITOR: editor } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /gadget\.fleet\.example\.net\/g-apply edited/);
      assert.equal(await ok('get', 'gadget', 'g-apply', '-o', 'jsonpath={.spec.color}'), 'teal');
    });

    it('describe shows the object', async () => {
      const out = await ok('describe', 'gadget', 'g-apply');
      assert.match(out, /^Name:\s+g-apply$/m);
      assert.match(out, /^Kind:\s+Gadget$/m);
      assert.match(out, /^\s+Color:\s+teal$/m);
    });

    it('get by category lists the kinds in it', async () => {
      assert.match(await ok('get', 'fleet', '-o', 'name'), /gadget\.fleet\.example\.net\/g-apply/);
    });

    it('wait --for=delete returns once the object is gone', async () => {
      const waiting = kubectl('wait', '--for=delete', 'gadget/g-create', '--timeout=30s');
      await ok('delete', 'gadget', 'g-create', '--wait=false');
      const r = await waiting;
      assert.equal(r.code, 0, r.stderr);
    });

    it('delete removes an object, and get then reports NotFound', async () => {
      assert.match(await ok('delete', 'gadget', 'g-label-b'), /gadget\.fleet\.example\.net "g-label-b" deleted/);
      const stderr = await fails('get', 'gadget', 'g-label-b');
      assert.match(stderr, /\(NotFound\): gadgets\.fleet\.example\.net "g-label-b" not found/);
    });

    it('delete --all removes every object in the namespace and no other', async () => {
      await ok('delete', 'gadgets', '--all');
      assert.equal(await ok('get', 'gadgets', '-o', 'name'), '');
      assert.match(await ok('get', 'gadgets', '-n', 'team-b', '-o', 'name'), /g-other/);
    });

    it('an invalid name is refused with a 422 naming metadata.name', async () => {
      const r = await create(gadget('Not_Valid', { size: 1 }));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /The Gadget "Not_Valid" is invalid: metadata\.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain/);
    });
  });
}
