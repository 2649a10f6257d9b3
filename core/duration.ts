/** Ages for table cells, as apimachinery prints them (`pkg/util/duration`, `api/meta/table`). */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * apimachinery `duration.HumanDuration`: about two or three significant figures, e.g. `45s`,
 * `5m30s`, `3h`, `2d4h`, `3y`. Up to two seconds in the future reads `0s` (clock skew between
 * machines); further in the future is `<invalid>`. Go truncates every division, so do we.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  const years = Math.trunc(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${years}y`;
}

// metav1.Time accepts RFC 3339 (time.RFC3339, so a `T`, seconds, and a zone).
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
// Go's zero time, which `metav1.Time.IsZero` treats as unset.
const zeroTime = Date.parse('0001-01-01T00:00:00Z');

/**
 * The Age cell for an object created at `creationTimestamp`, as `ConvertToHumanReadableDateType`
 * gives it: `<unknown>` when the timestamp is unset (or Go's zero time), `<invalid>` when it is
 * not RFC 3339, else `humanDuration(now - created)`. The same rules make the cell of a `date`
 * printer column (tableconvertor `cellForJSONValue` parses it with `UnmarshalQueryParameter`,
 * which reads "" and "null" as unset).
 */
export function age(creationTimestamp: string | undefined, now: Date): string {
  if (!creationTimestamp || creationTimestamp === 'null') return '<unknown>';
  const created = rfc3339.test(creationTimestamp) ? Date.parse(creationTimestamp) : Number.NaN;
  if (Number.isNaN(created)) return '<invalid>';
  if (created === zeroTime) return '<unknown>';
  return humanDuration(now.getTime() - created);
}
