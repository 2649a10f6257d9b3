/** What `/version` reports: the Kubernetes API level kindred speaks, and kindred's own version. */
import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url).pathname.replace(/\/dist\/package\.json$/, '/package.json'), 'utf8')) as {
  version: string;
};

export const KINDRED_VERSION = packageJson.version;

/** kubectl warns when its minor version is more than one away from the server's. */
export const KUBERNETES_API_LEVEL = { major: '1', minor: '33' };

export function versionInfo(): Record<string, string> {
  return {
    major: KUBERNETES_API_LEVEL.major,
    minor: KUBERNETES_API_LEVEL.minor,
    gitVersion: `v${KUBERNETES_API_LEVEL.major}.${KUBERNETES_API_LEVEL.minor}.0+kindred.${KINDRED_VERSION}`,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'kindred',
    platform: goPlatform(process.platform, process.arch),
  };
}

/** Node's names for GOARCH values where they differ; the rest are spelled alike. */
const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le', loong64: 'loong64' };
const GOOS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };

/**
 * `platform` as Go spells it (`linux/amd64`, not Node's `linux/x64`): clients parse it as
 * GOOS/GOARCH (k8s.io/apimachinery version.Info is filled from runtime.GOOS/GOARCH).
 */
export function goPlatform(platform: string, arch: string): string {
  return `${GOOS[platform] ?? platform}/${GOARCH[arch] ?? arch}`;
}
