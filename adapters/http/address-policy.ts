import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses an outbound request may connect to. Everything that is not globally
 * reachable unicast is refused, named by the kind people know it as; an operator's explicit
 * exceptions (`allowedCidrs`, e.g. loopback for the local stack) win over the refusal.
 *
 * IPv6 forms that carry an IPv4 address (mapped, compatible, SIIT, NAT64, 6to4) are judged by
 * that IPv4 address, so `::ffff:127.0.0.1` or `64:ff9b::a9fe:a9fe` is no way round the rules.
 */

export type RefusedAddressKind =
  | 'cloud metadata'
  | 'unspecified'
  | 'broadcast'
  | 'loopback'
  | 'private'
  | 'carrier-grade NAT'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'reserved';

type Family = 'ipv4' | 'ipv6';
type Rule = readonly [kind: RefusedAddressKind, family: Family, network: string, prefix: number];

// Order matters: the first rule that matches names the refusal (metadata before link-local).
const RULES: readonly Rule[] = [
  // EC2 instance metadata, ECS task metadata and credentials, EKS pod identity.
  ['cloud metadata', 'ipv4', '169.254.169.254', 32],
  ['cloud metadata', 'ipv4', '169.254.170.2', 32],
  ['cloud metadata', 'ipv4', '169.254.170.23', 32],
  ['cloud metadata', 'ipv6', 'fd00:ec2::254', 128],
  ['cloud metadata', 'ipv6', 'fd00:ec2::23', 128],
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['unspecified', 'ipv6', '::', 128],
  ['broadcast', 'ipv4', '255.255.255.255', 32],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['loopback', 'ipv6', '::1', 128],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['private', 'ipv4', '192.168.0.0', 16],
  ['carrier-grade NAT', 'ipv4', '100.64.0.0', 10],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['unique-local', 'ipv6', 'fc00::', 7],
  ['multicast', 'ipv4', '224.0.0.0', 4],
  ['multicast', 'ipv6', 'ff00::', 8],
  // IANA special-purpose blocks that are not globally reachable.
  ['reserved', 'ipv4', '192.0.0.0', 24],
  ['reserved', 'ipv4', '192.0.2.0', 24],
  ['reserved', 'ipv4', '192.88.99.0', 24],
  ['reserved', 'ipv4', '198.18.0.0', 15],
  ['reserved', 'ipv4', '198.51.100.0', 24],
  ['reserved', 'ipv4', '203.0.113.0', 24],
  ['reserved', 'ipv4', '240.0.0.0', 4],
  ['reserved', 'ipv6', '64:ff9b:1::', 48],
  ['reserved', 'ipv6', '100::', 64],
  ['reserved', 'ipv6', '2001::', 23],
  ['reserved', 'ipv6', '2001:db8::', 32],
  ['reserved', 'ipv6', '3fff::', 20],
  ['reserved', 'ipv6', '5f00::', 16],
  ['reserved', 'ipv6', 'fec0::', 10],
];

const LISTS: readonly (readonly [RefusedAddressKind, BlockList])[] = RULES.map(
  ([kind, family, network, prefix]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return [kind, list] as const;
  },
);

// Global unicast is 2000::/3; anything else IANA has not allocated for the internet.
const GLOBAL_UNICAST_V6 = new BlockList();
GLOBAL_UNICAST_V6.addSubnet('2000::', 3, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (zone id dropped); undefined for anything else. */
function ipv6Groups(address: string): number[] | undefined {
  const bare = address.split('%')[0] ?? '';
  if (isIP(bare) !== 6) return undefined;
  // The URL parser writes every IPv6 address one canonical way (dotted tails become hex).
  const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const [head = '', tail] = canonical.split('::');
  const part = (text: string) => (text === '' ? [] : text.split(':').map((g) => parseInt(g, 16)));
  const front = part(head);
  const back = tail === undefined ? [] : part(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function ipv4From(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * The IPv4 address an IPv6 address carries, in the forms a resolver or a URL can hand over:
 * mapped (::ffff:a.b.c.d), SIIT (::ffff:0:a.b.c.d), compatible (::a.b.c.d), the NAT64
 * well-known prefix (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
 */
function embeddedIpv4(groups: readonly number[]): string | undefined {
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  const [g0, g1, g2, , , g5, g6 = 0, g7 = 0] = groups;
  if (zeros(0, 5) && g5 === 0xffff) return ipv4From(g6, g7);
  if (zeros(0, 4) && groups[4] === 0xffff && g5 === 0) return ipv4From(g6, g7);
  // :: and ::1 are IPv6's own unspecified and loopback, not compatible forms.
  if (zeros(0, 6) && (g6 !== 0 || g7 > 1)) return ipv4From(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && zeros(2, 6)) return ipv4From(g6, g7);
  if (g0 === 0x2002) return ipv4From(g1 ?? 0, g2 ?? 0);
  return undefined;
}

/** The address to judge: an IPv6 address's embedded IPv4 address when it has one. */
export function normalisedAddress(address: string): { address: string; family: Family } {
  const groups = ipv6Groups(address);
  if (groups === undefined) return { address, family: 'ipv4' };
  const v4 = embeddedIpv4(groups);
  if (v4 !== undefined) return { address: v4, family: 'ipv4' };
  return { address: address.split('%')[0] ?? address, family: 'ipv6' };
}

/**
 * Why `address` may not be connected to, or undefined when it is globally reachable unicast.
 * A string that is not an IP address is refused as reserved (never connected to).
 */
export function refusedKind(address: string): RefusedAddressKind | undefined {
  const bare = address.split('%')[0] ?? '';
  if (isIP(bare) === 0) return 'reserved';
  const judged = normalisedAddress(bare);
  for (const [kind, list] of LISTS) {
    if (list.check(judged.address, judged.family)) return kind;
  }
  if (judged.family === 'ipv6' && !GLOBAL_UNICAST_V6.check(judged.address, 'ipv6')) {
    return 'reserved';
  }
  return undefined;
}

export interface Cidr {
  readonly network: string;
  readonly prefix: number;
  readonly family: Family;
}

/** `a.b.c.d/n`, `v6::/n`, or a bare address (one host); undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const [network = '', prefixText, ...rest] = text.trim().split('/');
  if (rest.length > 0) return undefined;
  const version = isIP(network);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  return { network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * The judge of one policy: `allowedCidrs` are exceptions an operator chose (checked against the
 * address as resolved and in its normalised IPv4 form); everything else follows `refusedKind`.
 * @throws Error on a malformed CIDR (the env parser names the variable before it gets here)
 */
export function addressJudge(
  allowedCidrs: readonly string[],
): (address: string) => RefusedAddressKind | undefined {
  const allowed = new BlockList();
  for (const text of allowedCidrs) {
    const cidr = parseCidr(text);
    if (cidr === undefined) throw new Error(`"${text}" is not a CIDR (a.b.c.d/n or v6::/n)`);
    allowed.addSubnet(cidr.network, cidr.prefix, cidr.family);
  }
  return (address) => {
    const bare = address.split('%')[0] ?? '';
    const version = isIP(bare);
    if (version === 0) return 'reserved';
    const judged = normalisedAddress(bare);
    if (
      allowed.check(bare, version === 4 ? 'ipv4' : 'ipv6') ||
      allowed.check(judged.address, judged.family)
    ) {
      return undefined;
    }
    return refusedKind(bare);
  };
}
