/**
 * The string formats kube-openapi's `strfmt` default registry knows (pkg/validation/strfmt/
 * default.go). A format outside this list is ignored, as kube ignores it; int32, int64,
 * float and double only describe numbers and never fail.
 */
const re = (pattern: RegExp) => (value: string): boolean => pattern.test(value);

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// RFC 3339, also with a space or without a zone: strfmt.ParseDateTime accepts those layouts.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const uuidVersion = (v: number) => new RegExp(`^[0-9a-f]{8}-?[0-9a-f]{4}-?${v}[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$`, 'i');
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*\.?$/;
const MAC = /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/;
// Go's time.ParseDuration plus strfmt's long unit names ("1 hour"): a sequence of number+unit.
const DURATION = /^[-+]?(\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|w|nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?)\s*)+$/;

function ipv6(value: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(value) || !value.includes(':')) return false;
  try {
    new URL(`http://[${value}]/`);
    return true;
  } catch {
    return false;
  }
}

function cidr(value: string): boolean {
  const [ip, bits, ...rest] = value.split('/');
  if (ip === undefined || bits === undefined || rest.length > 0 || !/^\d+$/.test(bits)) return false;
  if (IPV4.test(ip)) return Number(bits) <= 32;
  return ipv6(ip) && Number(bits) <= 128;
}

function uri(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

const always = (): boolean => true;

/** Format name → string check. */
export const KUBE_FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  bsonobjectid: re(/^[0-9a-fA-F]{24}$/),
  uri,
  email: re(/^[^@\s]+@[^@\s]+$/),
  hostname: re(HOSTNAME),
  ipv4: re(IPV4),
  ipv6,
  cidr,
  mac: re(MAC),
  uuid: re(UUID),
  uuid3: re(uuidVersion(3)),
  uuid4: re(uuidVersion(4)),
  uuid5: re(uuidVersion(5)),
  isbn: re(/^(\d{9}[\dX]|\d{13})$/),
  isbn10: re(/^\d{9}[\dX]$/),
  isbn13: re(/^\d{13}$/),
  creditcard: re(/^\d{13,19}$/),
  ssn: re(/^\d{3}[- ]?\d{2}[- ]?\d{4}$/),
  hexcolor: re(/^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/),
  rgbcolor: re(/^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$/),
  byte: re(/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/),
  password: always,
  date: re(DATE),
  'date-time': re(DATE_TIME),
  datetime: re(DATE_TIME),
  duration: re(DURATION),
};

/** Number formats: accepted and not checked (kube-openapi checks formats of strings only). */
export const NUMBER_FORMATS: readonly string[] = ['int32', 'int64', 'float', 'double'];
