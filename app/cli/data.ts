/**
 * `kindred export` and `kindred import`: a backup of every kind the embedded plugin stores,
 * and its restore (plugins/embedded/backup.ts does the database side).
 *
 * The file is YAML, one `v1` List per kind (`-o x.yaml` or stdout), or JSON, one List of
 * every object (`-o x.json`); import reads either, and any plain objects or Lists.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../../core/types/object.ts';
import { encodeJson, narrowBigIntegers } from '../../lib/json.ts';
import { exportData, importData } from '../../plugins/embedded/backup.ts';
import { parseExportFlags, parseImportFlags } from './flags.ts';

export async function exportCommand(args: string[]): Promise<number> {
  const flags = parseExportFlags(args);
  return reportFailure('export', () => exportTo(flags));
}

async function exportTo(flags: ReturnType<typeof parseExportFlags>): Promise<number> {
  const data = exportData(flags.dataDir);
  const lists = data.kinds.map((k) => list(k.items, data.resourceVersion));
  const text = flags.output?.endsWith('.json')
    ? `${encodeJson(list(data.kinds.flatMap((k) => k.items), data.resourceVersion))}\n`
    : lists.map((l) => `---\n${stringify(l)}`).join('');
  const count = data.kinds.reduce((n, k) => n + k.items.length, 0);
  if (flags.output) {
    await writeFile(flags.output, text);
    process.stderr.write(`exported ${count} objects of ${data.kinds.length} kinds from ${resolve(flags.dataDir)} at resourceVersion ${data.resourceVersion} to ${flags.output}\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}

export async function importCommand(args: string[]): Promise<number> {
  const flags = parseImportFlags(args);
  return reportFailure('import', () => importFrom(flags));
}

async function importFrom(flags: ReturnType<typeof parseImportFlags>): Promise<number> {
  const objects: KubeObject[] = [];
  // int64 values beyond a double's range stay exact, as the API server reads them (lib/json.ts).
  for (const doc of parseAllDocuments(await readFile(flags.file, 'utf8'), { intAsBigInt: true })) {
    if (doc.errors.length > 0) throw new Error(`${flags.file}: ${doc.errors[0]!.message}`);
    const value = narrowBigIntegers(doc.toJS()) as unknown;
    if (value === null || value === undefined) continue;
    objects.push(...flatten(value));
  }
  const summary = importData(flags.dataDir, objects);
  for (const [kind, count] of summary) process.stdout.write(`${kind}: ${count} imported\n`);
  process.stdout.write(`imported ${objects.length} objects into ${resolve(flags.dataDir)}\n`);
  return 0;
}

/** A failure the user can act on (no data, directory in use, a bad file): one line, exit code 1. */
async function reportFailure(command: string, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    process.stderr.write(`kindred ${command}: ${(error as Error).message}\n`);
    return 1;
  }
}

function list(items: KubeObject[], resourceVersion: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion }, items };
}

/** A List's items (also a typed `WidgetList`), or the object itself. */
function flatten(value: unknown): KubeObject[] {
  const object = value as { kind?: unknown; items?: unknown };
  if (typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items)) {
    return (object.items as unknown[]).flatMap(flatten);
  }
  return [value as KubeObject];
}
