// The outbound policy of the targets that take a URL: no request to a private, loopback,
// link-local (cloud metadata, 169.254.169.254) or otherwise non-public address unless the
// target says `allowPrivateNetwork: true`. Checked on the addresses DNS gives at connect time
// (a name that resolves to 10.0.0.1, or re-resolves to it later, is caught), and on IP
// literals before connecting (Node does not look those up).
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Address ranges that are not the public internet (IANA special-purpose registries). */
const NON_PUBLIC = new BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local: instance metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NON_PUBLIC.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['64:ff9b::', 96], // NAT64 of any IPv4 address, private ones included
  ['64:ff9b:1::', 48],
] as const) {
  NON_PUBLIC.addSubnet(prefix, bits, 'ipv6');
}

/** True for an address outside the public internet (IPv4-mapped IPv6 addresses are checked as IPv4). */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return false;
  return NON_PUBLIC.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** `localhost` and its subdomains resolve to loopback by definition (RFC 6761). */
export function isLocalhostName(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost');
}

/** A request the outbound policy refused: never retried, the target's config must change. */
export class OutboundPolicyError extends Error {
  readonly code = 'EOUTBOUNDPOLICY';

  constructor(readonly address: string) {
    super(`refused to connect to ${address}: not a public address (set allowPrivateNetwork: true on the target to allow it)`);
    this.name = 'OutboundPolicyError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net.connect that resolves as usual and keeps only public addresses: the
 * connection goes to one of them, or fails with OutboundPolicyError when there is none.
 */
export function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) {
      callback(err, '');
      return;
    }
    const allowed = addresses.filter((entry) => !isNonPublicAddress(entry.address));
    const [first] = allowed;
    if (!first) callback(new OutboundPolicyError(addresses[0]?.address ?? hostname), '');
    else if (options.all) callback(null, allowed);
    else callback(null, first.address, first.family);
  });
}
