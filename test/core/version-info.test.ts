import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goPlatform, versionInfo } from '../../core/version-info.ts';

describe('versionInfo', () => {
  it('names the platform as Go does, GOOS/GOARCH', () => {
    assert.equal(goPlatform('linux', 'x64'), 'linux/amd64');
    assert.equal(goPlatform('linux', 'arm64'), 'linux/arm64');
    assert.equal(goPlatform('win32', 'ia32'), 'windows/386');
    assert.match(versionInfo().platform!, /^[a-z0-9]+\/(amd64|arm64|386|arm|ppc64le|s390x|riscv64|loong64)$/);
  });

  it('reports a Kubernetes-style gitVersion that kubectl can compare', () => {
    assert.match(versionInfo().gitVersion!, /^v1\.\d+\.\d+\+kindred\./);
  });
});
