import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adoptClusterDefinitions } from '../../../core/openapi/shared-definitions.ts';
import { SHARED_DEFINITIONS, STATUS } from '../../../core/openapi/metav1.ts';

describe('adoptClusterDefinitions', () => {
  it("takes the cluster's version of every shared model it has, with what those refer to, and keeps ours for the rest", () => {
    const clusterStatus = {
      description: "the cluster's own words",
      properties: { details: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails' }, extra: { $ref: '#/definitions/io.k8s.example.OnlyInTheCluster' } },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
    };
    const adopted = adoptClusterDefinitions({
      [STATUS]: clusterStatus,
      'io.k8s.example.OnlyInTheCluster': { type: 'string' },
      'io.k8s.example.Unrelated': { type: 'string' },
    });
    assert.deepEqual(adopted[STATUS], clusterStatus, 'byte for byte the cluster’s');
    assert.deepEqual(adopted['io.k8s.example.OnlyInTheCluster'], { type: 'string' }, 'what it refers to comes along');
    assert.equal(adopted['io.k8s.example.Unrelated'], undefined, 'nothing else of the cluster’s');
    const ours = Object.keys(SHARED_DEFINITIONS).filter((name) => name !== STATUS);
    for (const name of ours) assert.deepEqual(adopted[name], SHARED_DEFINITIONS[name], name);
  });
});
