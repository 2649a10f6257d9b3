/**
 * Finding the real tools tests run against. A missing tool skips a test, unless the
 * variable that CI sets says it must be there, in which case the test fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The versioned kubectl binaries lie beside the real file behind the `kubectl` dispatcher. */
export function kubectlPath(version: string): string | undefined {
  let dispatcher: string;
  try {
    dispatcher = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
  if (!dispatcher) return undefined;
  const path = join(dirname(realpathSync(dispatcher)), `kubectl.${version}`);
  return existsSync(path) ? path : undefined;
}

/**
 * node:test options for a test that needs `kubectl.<version>`: a skip reason when it is
 * missing, except under KINDRED_REQUIRE_E2E=1, where the test runs and fails.
 */
export function requireKubectl(version: string): { skip: string | false } {
  if (kubectlPath(version) || process.env.KINDRED_REQUIRE_E2E === '1') return { skip: false };
  return { skip: `kubectl.${version} is not installed` };
}

export function mustKubectl(version: string): string {
  const path = kubectlPath(version);
  if (!path) throw new Error(`kubectl.${version} not found beside the kubectl dispatcher (KINDRED_REQUIRE_E2E=1)`);
  return path;
}
