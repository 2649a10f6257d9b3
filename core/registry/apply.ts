/**
 * Server-side apply of a configuration: applied to the stored object (get → apply → update),
 * or, when there is none, to an empty one and created. The merge, pruning and conflict rules
 * live in core/apply/.
 */
import type { KubeObject } from '../types/object.ts';
import { isStoreError } from '../types/errors.ts';
import { StatusError } from '../status.ts';
import { applyConfiguration } from '../apply/field-manager.ts';
import { present } from '../served-resource.ts';
import { fieldManagerContext } from './managed-fields.ts';
import { readModifyWrite } from './update.ts';
import { storeNewObject } from './create.ts';
import type { RegistryRequest, WriteOptions } from './request.ts';

/** Applies `config` for `options.fieldManager` (required); `created` tells a 201 from a 200. */
export async function serverSideApply(
  req: RegistryRequest,
  options: WriteOptions & { fieldManager: string },
  config: KubeObject,
  force: boolean,
): Promise<{ object: KubeObject; created: boolean }> {
  const ctx = fieldManagerContext(req, options.fieldManager);
  // Absent → create; a create racing with another falls back to applying to what it made.
  for (let attempt = 1; ; attempt++) {
    try {
      const written = await readModifyWrite(req, options, (stored) => applyConfiguration(ctx, present(req.resource, stored), config, force), 'Apply');
      return { object: written, created: false };
    } catch (error) {
      const absent = isStoreError(error) && error.reason === 'NotFound';
      if (!absent || req.info.subresource !== undefined) throw error;
    }
    const empty: KubeObject = { apiVersion: config.apiVersion, kind: config.kind, metadata: {} };
    const applied = applyConfiguration(ctx, empty, config, force);
    try {
      return { object: await storeNewObject(req, options, applied, 'Apply'), created: true };
    } catch (error) {
      const raced = error instanceof StatusError && error.status.reason === 'AlreadyExists';
      if (!raced || attempt >= 2) throw error;
    }
  }
}
