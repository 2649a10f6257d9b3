/**
 * The benchmark harness in short mode, so it cannot rot: it must finish and print a table
 * with a row for every scenario. No figure is checked: timing belongs to the benchmark run,
 * not to a test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function runShort(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/run.ts', '--short'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('test/bench/run.ts --short', () => {
  it('runs every scenario and prints one Markdown table with a row for each', async () => {
    const { code, stdout, stderr } = await runShort();
    assert.equal(code, 0, stderr);
    const rows = stdout.split('\n').filter((line) => line.startsWith('| '));
    assert.match(rows[0] ?? '', /^\| scenario \| protocol \| figure \| kindred \| baseline \| ratio \| goal \|$/);
    const scenarios = new Set(rows.slice(1).map((row) => row.split('|')[1]!.trim()));
    for (const expected of [/^create, 64 in flight$/, /^GET one object$/, /^LIST \d+ objects/, /^watch fan-out/, /^start to ready/, /^reload/]) {
      assert.ok([...scenarios].some((s) => expected.test(s)), `no row for ${expected} in:\n${stdout}`);
    }
    for (const protocol of ['h1', 'h2']) {
      assert.ok(rows.some((row) => row.startsWith('| GET one object | ' + protocol + ' |')), `no GET row over ${protocol}`);
    }
    // A scenario that measured nothing (no event delivered, no request answered) shows a dash.
    for (const row of rows.slice(1)) assert.match(row.split('|')[4]!.trim(), /^[0-9][0-9,.]*/, row);
  });
});
