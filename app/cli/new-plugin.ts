/** `kindred new-plugin NAME [DIR]`: writes a plugin package to start from (app/scaffold). */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CONTRACT_VERSION } from '../../core/types/storage.ts';
import { KINDRED_VERSION } from '../../core/version-info.ts';
import { scaffoldFiles } from '../scaffold/files.ts';
import { UsageError } from './flags.ts';

// npm's rule for package names (validate-npm-package-name), lower-case only.
const PACKAGE_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

export async function newPlugin(args: string[]): Promise<number> {
  const [name, dirArg, ...extra] = args;
  if (!name || extra.length > 0 || name.startsWith('-')) throw new UsageError('new-plugin takes NAME and an optional DIR');
  if (!PACKAGE_NAME.test(name) || name.length > 214) throw new UsageError(`new-plugin: "${name}" is not a valid npm package name`);
  const dir = resolve(dirArg ?? name.replace(/^@[^/]+\//, ''));
  const existing = await readdir(dir).catch(() => []);
  if (existing.length > 0) throw new UsageError(`new-plugin: ${dir} exists and is not empty`);
  const files = scaffoldFiles({ name, kindredRange: `^${KINDRED_VERSION}`, contractVersion: CONTRACT_VERSION });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content, { flag: 'wx' });
  }
  process.stdout.write(`created plugin ${name} in ${dir}\nnext: cd ${dir} && npm install && npm test\n`);
  return 0;
}
