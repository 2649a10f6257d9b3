/**
 * The README stays true: every ```sh block in it runs, in order, as a user would paste it
 * into a shell in a fresh clone (here: the repo, installed). `npm install` is done already
 * and `npm test` is what runs this, so both are left out; `npm start` is started in the
 * background and waited for until it says how to point kubectl at it; `kubectl` is the
 * newest versioned binary. A block that fails fails the test with its output.
 *
 * Blocks that are not meant to run as they stand (a synopsis, a config excerpt, a cluster
 * install) use another info string (```text, ```yaml, ```console).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { mustKubectl, requireKubectl } from '../support/tools.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The ```sh blocks of a Markdown text, in order. */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** A block without the commands the test itself stands for (see the module comment). */
function runnable(block: string): { script: string; starts: boolean } {
  let starts = false;
  const lines = block.split('\n').flatMap((line) => {
    const parts = line.split('&&').map((p) => p.trim());
    if (!parts.some((p) => /^npm (install|ci|test|start)\b/.test(p))) return [line];
    if (parts.includes('npm start')) starts = true;
    const rest = parts.filter((p) => !/^npm (install|ci|test|start)\b/.test(p));
    return rest.length > 0 ? [rest.join(' && ')] : [];
  });
  return { script: lines.join('\n'), starts };
}

function run(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

describe('the README', requireKubectl('1.33'), () => {
  let bin: string;
  let server: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    bin = await mkdtemp(join(tmpdir(), 'kindred-readme-'));
    await symlink(mustKubectl('1.33'), join(bin, 'kubectl'));
    env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: bin };
    // The README's data lives under .kindred/: start from nothing, as a fresh clone does.
    await rm(join(root, '.kindred'), { recursive: true, force: true });
  });
  after(async () => {
    // npm start runs kindred as its child: signal the whole process group.
    if (server?.pid && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      process.kill(-server.pid, 'SIGTERM');
      await exited;
    }
    if (bin) await rm(bin, { recursive: true, force: true });
  });

  it('runs every sh block as written', async () => {
    const blocks = shellBlocks(await readFile(join(root, 'README.md'), 'utf8'));
    assert.ok(blocks.length >= 2, 'the README has its command blocks');
    for (const block of blocks) {
      const { script, starts } = runnable(block);
      if (starts && !server) {
        server = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
        let said = '';
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`npm start said nothing useful within 60 s:\n${said}`)), 60_000);
          const listen = (chunk: Buffer) => {
            said += chunk.toString();
            if (/--kubeconfig \S+/.test(said)) {
              clearTimeout(timer);
              resolve();
            }
          };
          server!.stdout!.on('data', listen);
          server!.stderr!.on('data', (c: Buffer) => (said += c.toString()));
          server!.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${said}`)));
        });
      }
      if (script.trim() === '') continue;
      const result = await run(script, env);
      assert.equal(result.code, 0, `README block failed:\n${script}\n--- output ---\n${result.output}`);
    }
  });
});
