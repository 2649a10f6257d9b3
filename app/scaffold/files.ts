/**
 * The files of a new plugin package (`kindred new-plugin NAME [DIR]`), except src/index.ts
 * (store-template.ts). TypeScript, built to JavaScript by `tsc` on install (`prepare`) and
 * on `npm run build`: kindred loads the built `dist/src/index.js`, on Node 20 as on 24.
 */
import { STORE_TEMPLATE } from './store-template.ts';

export interface ScaffoldValues {
  /** The npm package name. */
  name: string;
  /** The kindred version range the plugin is written against, e.g. `^0.1.0`. */
  kindredRange: string;
  /** The contract version of this kindred. */
  contractVersion: number;
}

const TEST_TEMPLATE = `/** Runs kindred's store conformance kit against this plugin's store, in both scopes. */
import { storeConformance, testKind, testPluginContext } from 'kindred/plugin/testing';
import plugin, { MapStore } from '../src/index.js';

storeConformance(plugin.name, async (scope) => {
  const kind = testKind(scope, plugin.name);
  const store = await plugin.create(kind, { watchWindow: 20 }, testPluginContext());
  if (!(store instanceof MapStore)) throw new Error('expected a MapStore');
  // historyLimit: the kit writes more than the window and expects a watch from before it to get 410.
  return { store, kind, historyLimit: 20 };
});
`;

const CONFIG_TEMPLATE = `# Serves one kind from this plugin: npm run build && npx kindred serve --config kindred.yaml
resources:
  - group: plugins.example.com
    names: {kind: Note, plural: notes, singular: note}
    scope: Namespaced
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
                properties:
                  text: {type: string}
        additionalPrinterColumns:
          - {name: Text, type: string, jsonPath: .spec.text}
    backend:
      plugin: ./dist/src/index.js    # or the package name, once installed beside kindred
      options: {watchWindow: 1000}
`;

const README_TEMPLATE = `# __NAME__

A storage plugin for kindred (a Kubernetes extension API server), written against
plugin contract version __CONTRACT__.

\`\`\`sh
npm install          # also builds dist/ (prepare)
npm test             # kindred's store conformance kit, in both scopes
npx kindred serve --config kindred.yaml --write-kubeconfig .kindred/kubeconfig
kubectl --kubeconfig .kindred/kubeconfig get notes
\`\`\`

\`npm run dev\` rebuilds on every change; a running kindred re-imports the plugin when
\`dist/\` changes and swaps the store once the new one is ready.

To use it from another kindred: \`npm publish\` (or \`npm pack\`), install it beside kindred,
and name it in the config: \`backend: {plugin: __NAME__}\`.
`;

export function scaffoldFiles(values: ScaffoldValues): Record<string, string> {
  const fill = (text: string): string =>
    text.replaceAll('__NAME__', values.name).replaceAll('__CONTRACT__', String(values.contractVersion));
  const packageJson = {
    name: values.name,
    version: '0.1.0',
    description: 'A kindred storage plugin',
    type: 'module',
    license: 'Apache-2.0',
    keywords: ['kindred-plugin'],
    engines: { node: '>=20.19' },
    main: 'dist/src/index.js',
    types: 'dist/src/index.d.ts',
    exports: { '.': { types: './dist/src/index.d.ts', default: './dist/src/index.js' } },
    files: ['dist/src/', 'README.md'],
    scripts: {
      build: 'tsc -p .',
      dev: 'tsc -p . --watch',
      prepare: 'tsc -p .',
      test: 'tsc -p . && node --test dist/test/store.test.js',
    },
    // A peer: the plugin runs inside the kindred that loads it, and must share its contract.
    peerDependencies: { kindred: values.kindredRange },
    devDependencies: { kindred: values.kindredRange, typescript: '^6.0.0', '@types/node': '^20.19.0' },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023'],
      types: ['node'],
      strict: true,
      declaration: true,
      skipLibCheck: true,
      outDir: 'dist',
      rootDir: '.',
    },
    include: ['src', 'test'],
  };
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    'src/index.ts': fill(STORE_TEMPLATE),
    'test/store.test.ts': TEST_TEMPLATE,
    'kindred.yaml': CONFIG_TEMPLATE,
    'README.md': fill(README_TEMPLATE),
    '.gitignore': 'node_modules/\ndist/\n.kindred/\n',
  };
}
