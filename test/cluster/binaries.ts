/**
 * Where the control-plane binaries live: `build.sh` builds etcd, kube-apiserver
 * and kube-controller-manager once into `$KINDRED_CACHE/control-plane/<k8s version>`
 * (default cache root `~/.cache/kindred`), outside the repo.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const binaryNames = ['etcd', 'kube-apiserver', 'kube-controller-manager'] as const;
export type BinaryName = (typeof binaryNames)[number];

const here = fileURLToPath(new URL('.', import.meta.url));
const buildScript = join(here, 'build.sh');

/** The k8s.io/kubernetes version pinned in build/go.mod, e.g. `v1.34.4`. */
export function kubernetesVersion(): string {
  const goMod = readFileSync(join(here, 'build', 'go.mod'), 'utf8');
  const match = /^\s*k8s\.io\/kubernetes\s+(v\S+)/m.exec(goMod);
  if (!match?.[1]) throw new Error('test/cluster/build/go.mod does not require k8s.io/kubernetes');
  return match[1];
}

/** The folder build.sh writes into, whether or not it holds anything yet. */
export function binaryFolder(): string {
  const cacheRoot = process.env['KINDRED_CACHE'] ?? join(homedir(), '.cache', 'kindred');
  return join(cacheRoot, 'control-plane', kubernetesVersion());
}

/** True when all three binaries exist and are executable. Synchronous, for test options. */
export function hasBinaries(folder = binaryFolder()): boolean {
  return binaryNames.every((name) => {
    try {
      accessSync(join(folder, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** True when the cluster tier must run rather than be skipped. */
export function clusterRequired(): boolean {
  return process.env['KINDRED_REQUIRE_CLUSTER'] === '1';
}

/**
 * The folder holding all three binaries, or undefined when some are missing.
 * With KINDRED_REQUIRE_CLUSTER=1 a missing binary is built by running build.sh
 * (a cold build takes many minutes) and a failed build throws.
 */
export async function binariesDir(): Promise<string | undefined> {
  const folder = binaryFolder();
  if (hasBinaries(folder)) return folder;
  if (!clusterRequired()) return undefined;
  const built = await runBuildScript();
  if (!hasBinaries(built)) throw new Error(`build.sh finished but ${built} lacks ${binaryNames.join(', ')}`);
  return built;
}

/** Runs a build script, passing its progress through to stderr; resolves with the last line it prints (where it built). */
function runBuildScript(script = buildScript): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const folder = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && folder) resolve(folder);
      else reject(new Error(`build.sh failed (exit ${code ?? signal}); see its output above`));
    });
  });
}

/** The helm binary build-helm.sh makes, building it first when the cluster tier is required. */
export async function helmBinary(): Promise<string | undefined> {
  const goMod = readFileSync(join(here, 'build-helm', 'go.mod'), 'utf8');
  const version = /^\s*(?:require\s+)?helm\.sh\/helm\/v3\s+(v\S+)/m.exec(goMod)?.[1];
  if (!version) throw new Error('test/cluster/build-helm/go.mod does not require helm.sh/helm/v3');
  const cacheRoot = process.env['KINDRED_CACHE'] ?? join(homedir(), '.cache', 'kindred');
  const path = join(cacheRoot, 'helm', version, 'helm');
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    if (!clusterRequired()) return undefined;
  }
  const built = await runBuildScript(join(here, 'build-helm.sh'));
  accessSync(built, constants.X_OK);
  return built;
}
