/**
 * A kind's openAPIV3Schema enforced on the server, as real kubectl (1.29, 1.33) meets it:
 * unknown fields under --validate=strict and =warn, invalid objects named by field path,
 * CEL rules, and defaults that show in what get returns.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { requireKubectl } from '../support/tools.ts';

const CONFIG = `
resources:
  - group: db.example.com
    names: {kind: Postgres, plural: postgreses, singular: postgres}
    scope: Namespaced
    backend: {plugin: memory}
    versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec:
                type: object
                required: [version]
                x-kubernetes-validations:
                  - rule: "!has(self.replicas) || self.replicas <= self.size"
                    message: replicas must not exceed size
                properties:
                  size: {type: integer, minimum: 1, maximum: 10, default: 1}
                  replicas: {type: integer}
                  version: {type: string, enum: ["15", "16", "17"]}
                  storage:
                    type: object
                    default: {}
                    properties:
                      class: {type: string, default: standard}
`;

const postgres = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'db.example.com/v1', kind: 'Postgres', metadata: { name }, spec });

for (const version of ['1.29', '1.33']) {
  describe(`schemas with kubectl ${version}`, requireKubectl(version), () => {
    let k: TestKindred;
    const kubectl = (args: string[], input?: string) => k.kubectl(version, args, input === undefined ? {} : { input });

    before(async () => {
      k = await startTestKindred(CONFIG);
    });
    after(async () => {
      await k?.stop();
    });

    it('create --validate=strict refuses an unknown field and names it', async () => {
      const r = await kubectl(['create', '--validate=strict', '-f', '-'], postgres('p-unknown', { version: '16', bogus: 1 }));
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /unknown field "spec\.bogus"/);
      assert.notEqual((await kubectl(['get', 'postgres', 'p-unknown'])).code, 0, 'nothing was created');
    });

    it('create --validate=warn creates the object, warns about the unknown field and drops it', async () => {
      const r = await kubectl(['create', '--validate=warn', '-f', '-'], postgres('p-warn', { version: '16', bogus: 1 }));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Warning: unknown field "spec\.bogus"/);
      const object = JSON.parse((await kubectl(['get', 'postgres', 'p-warn', '-o', 'json'])).stdout);
      assert.equal(object.spec.bogus, undefined);
    });

    it('apply of an invalid object fails with the field path and kube-style messages', async () => {
      const r = await kubectl(['apply', '-f', '-'], postgres('p-bad', { version: '14', size: 11 }));
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /The Postgres "p-bad" is invalid/);
      assert.match(r.stderr, /spec\.size: Invalid value: 11: spec\.size in body should be less than or equal to 10/);
      assert.match(r.stderr, /spec\.version: Unsupported value: "14": supported values: "15", "16", "17"/);
    });

    it('a missing required field is reported as Required value', async () => {
      const r = await kubectl(['apply', '-f', '-'], postgres('p-required', { size: 2 }));
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /spec\.version: Required value/);
    });

    it('a CEL rule that fails is reported with its message', async () => {
      const r = await kubectl(['apply', '-f', '-'], postgres('p-cel', { version: '16', size: 2, replicas: 3 }));
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /spec: Invalid value: "object": replicas must not exceed size/);
    });

    it('defaults show in get -o yaml, nested ones too', async () => {
      const r = await kubectl(['apply', '-f', '-'], postgres('p-defaults', { version: '17' }));
      assert.equal(r.code, 0, r.stderr);
      const yaml = (await kubectl(['get', 'postgres', 'p-defaults', '-o', 'yaml'])).stdout;
      assert.match(yaml, /^ {2}size: 1$/m);
      assert.match(yaml, /^ {4}class: standard$/m);
    });
  });
}
