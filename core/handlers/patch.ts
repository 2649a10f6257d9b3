/**
 * PATCH of one object or of its status. Each patch type is a PatchMechanism that turns
 * the stored object into the wanted one; the read-modify-write cycle is shared with update.
 */
import type { KubeObject } from '../types/object.ts';
import { StatusError, badRequest, entityTooLarge, unsupportedMediaType } from '../status.ts';
import { negotiateResource } from '../negotiation.ts';
import { applyMergePatch } from '../patch/merge-patch.ts';
import { applyJsonPatch, JsonPatchError } from '../patch/json-patch.ts';
import { isObject } from '../../lib/json.ts';
import { asKubeObject, parseJsonOrYaml } from './decode.ts';
import { optionsInvalid, parseWriteOptions } from './options.ts';
import { present } from '../served-resource.ts';
import { readModifyWrite } from '../registry/update.ts';
import { admitDuplicateFields } from '../registry/admit.ts';
import { encodeOne } from './present.ts';
import { applyObject } from './apply.ts';
import type { Reply, ResourceRequest } from './request.ts';

export const PATCH_MEDIA_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

export interface PatchMechanism {
  /** Applies the patch to the stored object as the client sees it (with this endpoint's apiVersion). */
  apply(current: KubeObject): unknown;
}

// kube-apiserver's bound on the operations of one JSON patch (handlers/patch.go).
const MAX_JSON_PATCH_OPERATIONS = 10_000;

function jsonPatch(body: string): PatchMechanism {
  const operations = parseJsonOrYaml(body, false);
  if (Array.isArray(operations) && operations.length > MAX_JSON_PATCH_OPERATIONS) {
    throw entityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${operations.length}`);
  }
  return {
    apply(current) {
      try {
        return applyJsonPatch(current, operations);
      } catch (error) {
        if (!(error instanceof JsonPatchError)) throw error;
        // A malformed patch is the client's syntax error (400); one that cannot be applied is 422.
        if (error.kind === 'malformed') throw badRequest(error.message);
        throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: ${error.message}`, {});
      }
    },
  };
}

function mergePatch(body: string): PatchMechanism {
  const patch = parseJsonOrYaml(body, false);
  if (!isObject(patch)) throw badRequest('a merge patch must be a JSON object');
  return { apply: (current) => applyMergePatch(current, patch) };
}

/** JSON patch or merge patch; a 415 for anything else (strategic merge patch, or apply where it is not offered). */
export function mechanismFor(contentType: string, body: string): PatchMechanism {
  switch (contentType) {
    case 'application/json-patch+json':
      return jsonPatch(body);
    case 'application/merge-patch+json':
      return mergePatch(body);
    default:
      // Strategic merge patch needs Go struct tags, which custom kinds do not have: 415,
      // as kube-apiserver answers for CRDs.
      throw unsupportedMediaType(contentType, PATCH_MEDIA_TYPES);
  }
}

export async function patchObject(req: ResourceRequest): Promise<Reply> {
  if (req.contentType === 'application/apply-patch+yaml') return applyObject(req);
  const representation = negotiateResource(req.accept, { list: false, read: false });
  const options = parseWriteOptions(req.info.query, 'PatchOptions');
  const mechanism = mechanismFor(req.contentType, (await req.body()).toString('utf8'));
  if (req.info.query.has('force')) {
    throw optionsInvalid('PatchOptions', [{ type: 'Forbidden', field: 'force', detail: 'may not be specified for non-apply patch' }]);
  }
  await admitDuplicateFields(req, options);
  const written = await readModifyWrite(req, options, (stored) => {
    const patched = mechanism.apply(present(req.resource, stored));
    return asKubeObject(req, patched, req.info.name);
  });
  return { status: 200, body: encodeOne(req, representation, written) };
}
