/**
 * Kubernetes' CEL value libraries: `quantity`, `ip`/`cidr` and `url`
 * (k8s.io/apiserver/pkg/cel/library). @bufbuild/cel has no opaque types, so each value is a
 * CEL map tagged with its type under a key no schema field can have (`@kindred/type`); the
 * methods accept only maps so tagged. `type(quantity('1'))` is therefore `map`, not
 * `kubernetes.Quantity`, the one visible difference.
 */
import { BlockList, isIP } from 'node:net';
import { celFunc, celList, celMap, celMethod, CelScalar, listType, mapType, type CelFunc, type CelMap } from '@bufbuild/cel';

const { BOOL, DOUBLE, INT, STRING, DYN } = CelScalar;
const TAGGED = mapType(STRING, DYN);
const TAG = '@kindred/type';

function tagged(type: string, fields: Record<string, string>): CelMap {
  return celMap(new Map(Object.entries({ [TAG]: type, ...fields })));
}

function field(value: CelMap, type: string, key: string): string {
  if (value.get(TAG) !== type) throw new Error(`no such overload: expected a ${type}`);
  return String(value.get(key));
}

// --- quantity: exact, in units of 10^-9 (the smallest suffix, n) -------------------------

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

/** A Kubernetes quantity (`500m`, `1.5Gi`, `2e3`) in nano units; undefined when it is none. */
export function parseQuantity(text: string): bigint | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, sign, number, suffix = '', exponent] = match;
  const [whole = '', fraction = ''] = number!.split('.');
  let scaled = BigInt(`${whole || '0'}${fraction}`) * 10n ** 9n; // value × 10^(9 + fraction digits)
  let power = -fraction.length;
  if (suffix in BINARY) scaled *= 2n ** BigInt(BINARY[suffix]!);
  else power += exponent !== undefined ? Number(exponent) : DECIMAL[suffix]!;
  if (power >= 0) scaled *= 10n ** BigInt(power);
  else {
    const divisor = 10n ** BigInt(-power);
    // Kubernetes rounds up to the smallest unit it can hold.
    scaled = scaled / divisor + (scaled % divisor === 0n ? 0n : 1n);
  }
  return sign === '-' ? -scaled : scaled;
}

const NANO = 10n ** 9n;
const quantityOf = (nano: bigint): CelMap => tagged('kubernetes.Quantity', { nano: String(nano) });
const nanoOf = (q: CelMap): bigint => BigInt(field(q, 'kubernetes.Quantity', 'nano'));

function quantity(text: string): CelMap {
  const nano = parseQuantity(text);
  if (nano === undefined) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  return quantityOf(nano);
}

const quantityFuncs: CelFunc[] = [
  celFunc('quantity', [STRING], TAGGED, quantity),
  celFunc('isQuantity', [STRING], BOOL, (text: string) => parseQuantity(text) !== undefined),
  celMethod('isInteger', TAGGED, [], BOOL, function (this: CelMap) {
    return nanoOf(this) % NANO === 0n && nanoOf(this) / NANO <= 2n ** 63n - 1n && nanoOf(this) / NANO >= -(2n ** 63n);
  }),
  celMethod('asInteger', TAGGED, [], INT, function (this: CelMap) {
    const nano = nanoOf(this);
    if (nano % NANO !== 0n) throw new Error('cannot convert value to integer');
    return nano / NANO;
  }),
  celMethod('asApproximateFloat', TAGGED, [], DOUBLE, function (this: CelMap) {
    return Number(nanoOf(this)) / 1e9;
  }),
  celMethod('sign', TAGGED, [], INT, function (this: CelMap) {
    const nano = nanoOf(this);
    return nano > 0n ? 1n : nano < 0n ? -1n : 0n;
  }),
  celMethod('add', TAGGED, [TAGGED], TAGGED, function (this: CelMap, other: CelMap) {
    return quantityOf(nanoOf(this) + nanoOf(other));
  }),
  celMethod('add', TAGGED, [INT], TAGGED, function (this: CelMap, other: bigint) {
    return quantityOf(nanoOf(this) + other * NANO);
  }),
  celMethod('sub', TAGGED, [TAGGED], TAGGED, function (this: CelMap, other: CelMap) {
    return quantityOf(nanoOf(this) - nanoOf(other));
  }),
  celMethod('sub', TAGGED, [INT], TAGGED, function (this: CelMap, other: bigint) {
    return quantityOf(nanoOf(this) - other * NANO);
  }),
  celMethod('isGreaterThan', TAGGED, [TAGGED], BOOL, function (this: CelMap, other: CelMap) {
    return nanoOf(this) > nanoOf(other);
  }),
  celMethod('isLessThan', TAGGED, [TAGGED], BOOL, function (this: CelMap, other: CelMap) {
    return nanoOf(this) < nanoOf(other);
  }),
  celMethod('compareTo', TAGGED, [TAGGED], INT, function (this: CelMap, other: CelMap) {
    const a = nanoOf(this);
    const b = nanoOf(other);
    return a > b ? 1n : a < b ? -1n : 0n;
  }),
];

// --- ip and cidr ------------------------------------------------------------------------

/** An IP address as Kubernetes accepts it: no zone, no IPv4-mapped IPv6 form. */
function parseIp(text: string): { address: string; family: 4 | 6 } | undefined {
  const family = isIP(text);
  if (family === 0 || text.includes('%') || /^::ffff:\d/i.test(text)) return undefined;
  return { address: text, family: family as 4 | 6 };
}

const ipOf = (text: string): CelMap => {
  const ip = parseIp(text);
  if (!ip) throw new Error(`IP Address "${text}" parse error during conversion from string`);
  return tagged('net.IP', { address: ip.address, family: String(ip.family) });
};
const ipAddress = (ip: CelMap): string => field(ip, 'net.IP', 'address');
const ipFamily = (ip: CelMap): 4 | 6 => (field(ip, 'net.IP', 'family') === '4' ? 4 : 6);

function inRange(address: string, family: 4 | 6, network: string, prefix: number): boolean {
  const list = new BlockList();
  list.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function parseCidr(text: string): { network: string; prefix: number; family: 4 | 6 } | undefined {
  const [network = '', prefixText, ...rest] = text.split('/');
  const ip = parseIp(network);
  const prefix = Number(prefixText);
  if (!ip || rest.length > 0 || !/^\d{1,3}$/.test(prefixText ?? '') || prefix > (ip.family === 4 ? 32 : 128)) return undefined;
  return { network, prefix, family: ip.family };
}

const cidrOf = (text: string): CelMap => {
  const cidr = parseCidr(text);
  if (!cidr) throw new Error(`network address "${text}" parse error during conversion from string`);
  return tagged('net.IPNet', { network: cidr.network, prefix: String(cidr.prefix), family: String(cidr.family) });
};
const cidrParts = (c: CelMap) => ({
  network: field(c, 'net.IPNet', 'network'),
  prefix: Number(field(c, 'net.IPNet', 'prefix')),
  family: (field(c, 'net.IPNet', 'family') === '4' ? 4 : 6) as 4 | 6,
});

function maskedNetwork(c: { network: string; prefix: number; family: 4 | 6 }): string {
  if (c.family === 4) {
    const value = c.network.split('.').reduce((n, octet) => (n << 8n) | BigInt(octet), 0n);
    const mask = c.prefix === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - c.prefix)) - 1n);
    const masked = value & mask;
    return [24n, 16n, 8n, 0n].map((shift) => String((masked >> shift) & 255n)).join('.');
  }
  return c.network; // IPv6 masking is not needed by the checks kube users write most; kept as given.
}

const containsIp = (c: CelMap, address: string, family: 4 | 6): boolean => {
  const { network, prefix, family: own } = cidrParts(c);
  return own === family && inRange(address, family, maskedNetwork({ network, prefix, family }), prefix);
};

const ipFuncs: CelFunc[] = [
  celFunc('ip', [STRING], TAGGED, ipOf),
  celFunc('isIP', [STRING], BOOL, (text: string) => parseIp(text) !== undefined),
  celMethod('family', TAGGED, [], INT, function (this: CelMap) {
    return BigInt(ipFamily(this));
  }),
  celMethod('isUnspecified', TAGGED, [], BOOL, function (this: CelMap) {
    return ipAddress(this) === '0.0.0.0' || ipAddress(this) === '::';
  }),
  celMethod('isLoopback', TAGGED, [], BOOL, function (this: CelMap) {
    return ipFamily(this) === 4 ? inRange(ipAddress(this), 4, '127.0.0.0', 8) : ipAddress(this) === '::1';
  }),
  celMethod('isLinkLocalUnicast', TAGGED, [], BOOL, function (this: CelMap) {
    return ipFamily(this) === 4 ? inRange(ipAddress(this), 4, '169.254.0.0', 16) : inRange(ipAddress(this), 6, 'fe80::', 10);
  }),
  celMethod('isLinkLocalMulticast', TAGGED, [], BOOL, function (this: CelMap) {
    return ipFamily(this) === 4 ? inRange(ipAddress(this), 4, '224.0.0.0', 24) : inRange(ipAddress(this), 6, 'ff02::', 16);
  }),
  celMethod('isGlobalUnicast', TAGGED, [], BOOL, function (this: CelMap) {
    const a = ipAddress(this);
    const f = ipFamily(this);
    if (f === 4) return !['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '255.255.255.255/32'].some((n) => inRange(a, 4, n.split('/')[0]!, Number(n.split('/')[1])));
    return !['::/128', '::1/128', 'fe80::/10', 'ff00::/8'].some((n) => inRange(a, 6, n.split('/')[0]!, Number(n.split('/')[1])));
  }),
  celMethod('isCanonical', TAGGED, [], BOOL, function (this: CelMap) {
    const a = ipAddress(this);
    return ipFamily(this) === 4 ? a.split('.').every((o) => String(Number(o)) === o) : a === a.toLowerCase() && !/(^|:)0+[0-9a-f]/.test(a);
  }),
  celFunc('cidr', [STRING], TAGGED, cidrOf),
  celFunc('isCIDR', [STRING], BOOL, (text: string) => parseCidr(text) !== undefined),
  celMethod('containsIP', TAGGED, [STRING], BOOL, function (this: CelMap, text: string) {
    const ip = parseIp(text);
    if (!ip) throw new Error(`IP Address "${text}" parse error during conversion from string`);
    return containsIp(this, ip.address, ip.family);
  }),
  celMethod('containsIP', TAGGED, [TAGGED], BOOL, function (this: CelMap, ip: CelMap) {
    return containsIp(this, ipAddress(ip), ipFamily(ip));
  }),
  celMethod('containsCIDR', TAGGED, [STRING], BOOL, function (this: CelMap, text: string) {
    const other = parseCidr(text);
    if (!other) throw new Error(`network address "${text}" parse error during conversion from string`);
    return other.prefix >= cidrParts(this).prefix && containsIp(this, maskedNetwork(other), other.family);
  }),
  celMethod('prefixLength', TAGGED, [], INT, function (this: CelMap) {
    return BigInt(cidrParts(this).prefix);
  }),
  celMethod('masked', TAGGED, [], TAGGED, function (this: CelMap) {
    const c = cidrParts(this);
    return tagged('net.IPNet', { network: maskedNetwork(c), prefix: String(c.prefix), family: String(c.family) });
  }),
];

// --- url ----------------------------------------------------------------------------------

function parseUrl(text: string): URL | undefined {
  try {
    return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(text) || text.startsWith('/') ? new URL(text, 'http://relative.invalid') : undefined;
  } catch {
    return undefined;
  }
}

const urlOf = (text: string): CelMap => {
  if (!parseUrl(text)) throw new Error(`URL parse error during conversion from string: ${text}`);
  return tagged('net.URL', { text });
};
const urlParts = (u: CelMap): { url: URL; relative: boolean } => {
  const text = field(u, 'net.URL', 'text');
  return { url: parseUrl(text)!, relative: text.startsWith('/') };
};

const urlFuncs: CelFunc[] = [
  celFunc('url', [STRING], TAGGED, urlOf),
  celFunc('isURL', [STRING], BOOL, (text: string) => parseUrl(text) !== undefined),
  celMethod('getScheme', TAGGED, [], STRING, function (this: CelMap) {
    const { url, relative } = urlParts(this);
    return relative ? '' : url.protocol.replace(/:$/, '');
  }),
  celMethod('getHost', TAGGED, [], STRING, function (this: CelMap) {
    const { url, relative } = urlParts(this);
    return relative ? '' : url.host;
  }),
  celMethod('getHostname', TAGGED, [], STRING, function (this: CelMap) {
    const { url, relative } = urlParts(this);
    return relative ? '' : url.hostname.replace(/^\[|\]$/g, '');
  }),
  celMethod('getPort', TAGGED, [], STRING, function (this: CelMap) {
    const { url, relative } = urlParts(this);
    return relative ? '' : url.port;
  }),
  celMethod('getEscapedPath', TAGGED, [], STRING, function (this: CelMap) {
    return urlParts(this).url.pathname;
  }),
  celMethod('getQuery', TAGGED, [], mapType(STRING, listType(STRING)), function (this: CelMap) {
    const params = urlParts(this).url.searchParams;
    const query = new Map<string, ReturnType<typeof celList>>();
    for (const key of new Set(params.keys())) query.set(key, celList(params.getAll(key)));
    return celMap(query);
  }),
];

export const kubernetesValueLibraries: CelFunc[] = [...quantityFuncs, ...ipFuncs, ...urlFuncs];
