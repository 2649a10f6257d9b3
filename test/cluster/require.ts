/**
 * Test options for the cluster tier: `describe('...', clusterTestOptions(), ...)`.
 *
 * Without the control-plane binaries the tests are skipped with a reason, so a
 * laptop without Go still runs `npm test`. With KINDRED_REQUIRE_CLUSTER=1 they
 * never skip: startControlPlane() then builds the binaries or fails loudly.
 */
import { binaryFolder, clusterRequired, hasBinaries } from './binaries.ts';

export function clusterTestOptions(): { skip: string | false } {
  if (clusterRequired() || hasBinaries()) return { skip: false };
  return {
    skip: `control-plane binaries missing in ${binaryFolder()}; run test/cluster/build.sh or set KINDRED_REQUIRE_CLUSTER=1`,
  };
}
