/**
 * What a watch with selectors sends for a store's change, as kube's watch cache decides it: an
 * object that starts matching is ADDED, one that stops matching is DELETED, and changes to
 * objects that never matched are not sent (k8s.io/apiserver `pkg/storage/cacher`).
 */
import type { WatchEvent } from '../types/object.ts';
import type { ObjectSelector } from '../types/storage.ts';
import type { KubeObject } from '../types/object.ts';
import { objectKey } from '../paging.ts';

export interface SelectionTranslator {
  /** The event type this watch's client gets for `event`; undefined when it gets nothing. */
  (event: WatchEvent): string | undefined;
  /** Tells the translator the client has been sent `object` (an initial event). */
  matched(object: KubeObject): void;
}

/**
 * A translator for one watch. Without selectors every change goes out as it is, and nothing
 * is remembered: the common case costs no allocation per event.
 */
export function selectionTranslator(selection: ObjectSelector): SelectionTranslator {
  if (selection.empty) {
    const passThrough = (event: WatchEvent): string | undefined => event.type;
    return Object.assign(passThrough, { matched: (): void => {} });
  }
  // Keys of objects this client currently believes match, for stores that give no `previous`.
  const matching = new Set<string>();
  const translate = (event: WatchEvent): string | undefined => {
    const object = event.object;
    const key = objectKey(object);
    const now = selection.matches(object);
    const before = event.previous ? selection.matches(event.previous) : matching.has(key);
    let type: string | undefined;
    if (event.type === 'ADDED') type = now ? 'ADDED' : undefined;
    else if (event.type === 'MODIFIED') type = now ? (before ? 'MODIFIED' : 'ADDED') : before ? 'DELETED' : undefined;
    else if (event.type === 'DELETED') type = now || before ? 'DELETED' : undefined;
    if (type === 'DELETED') matching.delete(key);
    else if (type) matching.add(key);
    return type;
  };
  return Object.assign(translate, { matched: (object: KubeObject): void => void matching.add(objectKey(object)) });
}
