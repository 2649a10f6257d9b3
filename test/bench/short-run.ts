/** Runs the benchmark harness (`run.ts --short ...`) as `npm run bench` would, for the tests that keep it from rotting. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ShortRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The Markdown table's lines, header first. */
  rows: string[];
}

export function runShortBench(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ShortRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/run.ts', '--short', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, rows: stdout.split('\n').filter((line) => line.startsWith('| ')) }));
  });
}

/** A table row's cells, trimmed. */
export const cells = (row: string): string[] => row.split('|').slice(1, -1).map((cell) => cell.trim());
