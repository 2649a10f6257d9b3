/**
 * At most ten Update managers per object: beyond that, the oldest are folded into one entry
 * per apiVersion named `ancient-changes`, as apimachinery's capManagersManager does
 * (managedfields/internal/capmanagers.go, DefaultMaxUpdateManagers). Without a cap every
 * distinct controller or kubectl user that ever touched an object would stay in
 * managedFields forever, and each write would carry them all.
 */
import { managerKey, type ManagerEntry, type Managers } from './managed-fields.ts';

export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES = 'ancient-changes';

const seconds = (entry: ManagerEntry): number => (entry.time ? Math.floor(Date.parse(entry.time) / 1000) : 0);

function oldestFirst(a: ManagerEntry, b: ManagerEntry): number {
  if (seconds(a) !== seconds(b)) return seconds(a) - seconds(b);
  const ka = managerKey(a);
  const kb = managerKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Folds the oldest Update managers of `managers` (changed in place) until at most `max` remain. */
export function capUpdateManagers(managers: Managers, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...managers.values()].filter((e) => e.operation === 'Update').sort(oldestFirst);
  let count = updaters.length;
  // The first old manager seen per apiVersion, which becomes the bucket once a second one joins it.
  const firstOfVersion = new Map<string, ManagerEntry>();
  for (const entry of updaters) {
    if (count <= max) break;
    const bucketKey = managerKey({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: entry.apiVersion, subresource: '' });
    const first = firstOfVersion.get(entry.apiVersion);
    if (!first) {
      firstOfVersion.set(entry.apiVersion, entry);
      continue;
    }
    let bucket = managers.get(bucketKey);
    if (!bucket) {
      managers.delete(managerKey(first));
      bucket = { ...first, manager: ANCIENT_CHANGES, subresource: '' };
      managers.set(bucketKey, bucket);
    }
    bucket.fields = bucket.fields.union(entry.fields);
    // The newer of the two times: the bucket holds changes up to this one.
    if (entry.time !== undefined) bucket.time = entry.time;
    managers.delete(managerKey(entry));
    count--;
  }
}
