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
    platform: `${process.platform}/${process.arch}`,
  };
}
