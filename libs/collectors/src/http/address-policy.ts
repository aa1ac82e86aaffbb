/**
 * Which IP addresses the health poller may connect to.
 *
 * Contract: `isBlockedAddress(ip, allowLinkLocal)` takes one IP address in the textual form that
 * `dns.lookup` returns or that WHATWG URL parsing produces for a literal host (brackets around IPv6
 * are accepted and stripped, as is an IPv6 zone suffix `%eth0`). Pure, no I/O.
 *
 * Always blocked:
 *   - the unspecified addresses `0.0.0.0` (and the rest of 0.0.0.0/8, "this network") and `::`;
 *   - anything that is not a valid IP address (fail closed: the caller never connects to a host it
 *     could not classify).
 * Blocked unless `allowLinkLocal` (cloud metadata services live here):
 *   - IPv4 169.254.0.0/16: 169.254.169.254 is the instance metadata endpoint of AWS, GCP, Azure,
 *     DigitalOcean, Hetzner, OpenStack, Oracle, IBM, Huawei, Linode; 169.254.170.2 is AWS ECS task
 *     metadata, 169.254.0.23 Tencent Cloud's;
 *   - IPv6 fe80::/10 (OpenStack also serves fe80::a9fe:a9fe);
 *   - the metadata services outside link-local (CLOUD_METADATA below): Alibaba Cloud
 *     100.100.100.200, Oracle Cloud's older 192.0.0.192, Azure's WireServer 168.63.129.16 (it
 *     hands out extension settings and certificates), AWS fd00:ec2::254, GCP fd20:ce::254 and
 *     Oracle Cloud fd00:c1::a9fe:a9fe. Only these exact addresses: the ranges around them
 *     (CGNAT 100.64/10, 192.0.0/24, unique-local fc00::/7) stay allowed like other private ones.
 * IPv6 addresses that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible
 * `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`) are judged by the IPv4 address they carry, so
 * `::ffff:169.254.169.254` cannot slip past the IPv4 rule.
 *
 * Deliberately ALLOWED: loopback (127.0.0.0/8, ::1) and private ranges (10/8, 172.16/12,
 * 192.168/16, fc00::/7 except the metadata addresses above). Health endpoints are internal services; the threat
 * this policy addresses is credential theft through the cloud metadata service, not reaching
 * internal hosts in general.
 */
import { isIPv4, isIPv6 } from 'node:net';

type Ipv4Octets = readonly [number, number, number, number];
/** Eight 16-bit groups. */
type Ipv6Groups = readonly number[];

/** Cloud metadata endpoints outside the link-local ranges; refused unless link-local is allowed. */
const CLOUD_METADATA_IPV4: readonly Ipv4Octets[] = [
  [100, 100, 100, 200], // Alibaba Cloud
  [192, 0, 0, 192], // Oracle Cloud (legacy metadata)
  [168, 63, 129, 16], // Azure WireServer
];
const CLOUD_METADATA_IPV6: readonly Ipv6Groups[] = [
  [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254], // AWS
  [0xfd20, 0x00ce, 0, 0, 0, 0, 0, 0x0254], // GCP
  [0xfd00, 0x00c1, 0, 0, 0, 0, 0xa9fe, 0xa9fe], // Oracle Cloud
];

export function isBlockedAddress(ip: string, allowLinkLocal: boolean): boolean {
  const address = stripBracketsAndZone(ip);
  if (isIPv4(address)) return isBlockedIpv4(parseIpv4(address), allowLinkLocal);
  if (isIPv6(address)) return isBlockedIpv6(parseIpv6(address), allowLinkLocal);
  return true;
}

function isBlockedIpv4(octets: Ipv4Octets, allowLinkLocal: boolean): boolean {
  const [first, second] = octets;
  if (first === 0) return true;
  if (first === 169 && second === 254) return !allowLinkLocal;
  if (CLOUD_METADATA_IPV4.some((metadata) => sameGroups(metadata, octets))) return !allowLinkLocal;
  return false;
}

function isBlockedIpv6(groups: Ipv6Groups, allowLinkLocal: boolean): boolean {
  if (groups.every((group) => group === 0)) return true;
  if (isIpv6Loopback(groups)) return false;

  const carriedIpv4 = embeddedIpv4(groups);
  if (carriedIpv4 !== null) return isBlockedIpv4(carriedIpv4, allowLinkLocal);

  const isLinkLocal = (groups[0] & 0xffc0) === 0xfe80;
  const isMetadata = CLOUD_METADATA_IPV6.some((metadata) => sameGroups(metadata, groups));
  if (isLinkLocal || isMetadata) return !allowLinkLocal;
  return false;
}

function sameGroups(left: readonly number[], right: readonly number[]): boolean {
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

function isIpv6Loopback(groups: Ipv6Groups): boolean {
  return groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1;
}

/** The IPv4 address an IPv4-mapped, IPv4-compatible or NAT64 (64:ff9b::/96) address carries. */
function embeddedIpv4(groups: Ipv6Groups): Ipv4Octets | null {
  const prefix = groups.slice(0, 6);
  const isZero = (group: number): boolean => group === 0;
  const isMapped = prefix.slice(0, 5).every(isZero) && prefix[5] === 0xffff;
  const isCompatible = prefix.every(isZero);
  const isNat64 = prefix[0] === 0x0064 && prefix[1] === 0xff9b && prefix.slice(2).every(isZero);
  if (!isMapped && !isCompatible && !isNat64) return null;
  const [high, low] = [groups[6], groups[7]];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff];
}

function stripBracketsAndZone(ip: string): string {
  const unbracketed = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const zoneStart = unbracketed.indexOf('%');
  return zoneStart === -1 ? unbracketed : unbracketed.slice(0, zoneStart);
}

/** Input already validated by `isIPv4` (dotted quad, decimal, no leading zeros). */
function parseIpv4(address: string): Ipv4Octets {
  const [a, b, c, d] = address.split('.').map(Number);
  return [a, b, c, d];
}

/** Input already validated by `isIPv6`, so the group count adds up. */
function parseIpv6(address: string): Ipv6Groups {
  const [headText, tailText] = address.split('::');
  const head = parseIpv6Groups(headText);
  if (tailText === undefined) return head;
  const tail = parseIpv6Groups(tailText);
  const zeros = new Array<number>(8 - head.length - tail.length).fill(0);
  return [...head, ...zeros, ...tail];
}

function parseIpv6Groups(text: string): number[] {
  if (text === '') return [];
  return text.split(':').flatMap((piece) => {
    if (!piece.includes('.')) return [parseInt(piece, 16)];
    // A trailing dotted IPv4 part ("::ffff:1.2.3.4") fills the last two groups.
    const [a, b, c, d] = parseIpv4(piece);
    return [(a << 8) | b, (c << 8) | d];
  });
}
