/**
 * What an object must fit before it is stored, whatever the write path (create, update,
 * patch, apply): the nesting depth every body is held to, and the size etcd would take.
 *
 * Size: kube-apiserver has no limit of its own: etcd refuses a request over its
 * `--max-request-bytes` (1.5 MiB by default), kube-apiserver then retries once without
 * managedFields (handlers/create.go, update.go and patch.go, except for apply), and a client
 * gets `etcdserver: request is too large` as a 500. kindred refuses the same objects, measured
 * by their JSON encoding, with the 413 `RequestEntityTooLarge` a too-large body gets: the
 * error is the client's, not the server's.
 *
 * Depth: managedFields mirror the object's fields five levels further down
 * (`metadata.managedFields[i].fieldsV1.f:spec…`), so an object at the body limit would be
 * stored deeper than any client could send it back. They are dropped the same way.
 *
 * Without these bounds a write path that grows an object (a JSON or merge patch, an apply)
 * could store one no client can send back, and a JSON patch could grow it without end.
 */
import type { KubeObject } from '../types/object.ts';
import { StatusError, entityTooLarge } from '../status.ts';
import { MAX_NESTING_DEPTH, nestingDepthExceeds } from '../nesting.ts';
import { encodeJson } from '../../lib/json.ts';

export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

/**
 * Throws 422 when `object` nests deeper than MAX_NESTING_DEPTH, 413 when it encodes to more
 * than `maxBytes`. A write that is not an apply first loses its managedFields, as
 * kube-apiserver's retry drops them: nothing the object needs is lost. An apply needs them.
 */
export function fitObjectLimits(object: KubeObject, operation: 'Update' | 'Apply', maxBytes = MAX_OBJECT_BYTES): void {
  const canDrop = () => operation !== 'Apply' && object.metadata.managedFields !== undefined;
  if (nestingDepthExceeds(object)) {
    if (canDrop()) delete object.metadata.managedFields;
    if (nestingDepthExceeds(object)) {
      throw new StatusError(422, 'Invalid', `the object would exceed the max depth of ${MAX_NESTING_DEPTH} levels${operation === 'Apply' ? ' with its managedFields' : ''}`, {});
    }
  }
  let size = encodedSize(object);
  if (size <= maxBytes) return;
  if (canDrop()) {
    delete object.metadata.managedFields;
    size = encodedSize(object);
    if (size <= maxBytes) return;
  }
  throw entityTooLarge(`the object is ${size} bytes, the limit is ${maxBytes}`);
}

function encodedSize(object: KubeObject): number {
  return Buffer.byteLength(encodeJson(object));
}
