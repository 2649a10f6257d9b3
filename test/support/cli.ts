/** Runs the kindred command from the TypeScript sources, as a user runs bin/kindred. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
// tsx by absolute URL: the command also runs from folders outside the repo.
export const tsx = import.meta.resolve('tsx');
/** `node --import tsx -e cliScript -- ARGS` runs `kindred ARGS` and exits with its code. */
export const cliScript = `import('${join(root, 'app/cli/main.ts')}').then((m) => m.main(process.argv.slice(1))).then((code) => process.exit(code))`;

/** `kindred ARGS` in `cwd`, to completion. */
export function kindred(args: string[], cwd = root): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', tsx, '-e', cliScript, '--', ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
}
