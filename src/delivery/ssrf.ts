import { promises as dns, type LookupAddress } from 'node:dns';
import net from 'node:net';
import type { Clock } from '../clock.js';

/** Resolves a host name to every address it has (the default is the system resolver). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const defaultResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export const SSRF_BLOCKED = 'blocked by SSRF guard';

/** Thrown when every address of a host is in a refused range; final, never retried. */
export class BlockedError extends Error {
  readonly code = 'ERR_SSRF_BLOCKED';
  constructor(readonly host: string) {
    super(SSRF_BLOCKED);
  }
}

export function isBlockedError(err: unknown): boolean {
  for (let e: any = err, depth = 0; e && depth < 5; e = e.cause, depth++) {
    if (e instanceof BlockedError || e?.code === 'ERR_SSRF_BLOCKED') return true;
  }
  return false;
}

// Ranges no customer-supplied URL may reach. net.BlockList also matches IPv4-mapped IPv6 (::ffff:10.0.0.1)
// against the IPv4 rules, so those need no rule of their own.
const REFUSED_V4: [string, number][] = [
  ['0.0.0.0', 8], // unspecified / "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved + broadcast
];
const REFUSED_V6: [string, number][] = [
  ['::', 96], // unspecified, loopback (::1) and the deprecated IPv4-compatible block
  ['64:ff9b::', 96], // NAT64: would reach any IPv4 address, private ones included
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // old site-local
  ['ff00::', 8], // multicast
];

function familyOf(address: string): 'ipv4' | 'ipv6' | null {
  const v = net.isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : null;
}

function buildRefused(): net.BlockList {
  const list = new net.BlockList();
  for (const [a, p] of REFUSED_V4) list.addSubnet(a, p, 'ipv4');
  for (const [a, p] of REFUSED_V6) list.addSubnet(a, p, 'ipv6');
  return list;
}

export interface GuardOptions {
  /** Host names (exact, or `.example.com` for a domain and its subdomains) and IPs/CIDRs let through anyway. */
  allow?: string[];
  resolver?: Resolver;
  clock: Clock;
  /** How long checked addresses are reused (ms); connections are made only to checked addresses. */
  cacheMs?: number;
}

/**
 * Decides which addresses a request may connect to. The same checked addresses feed the socket's `lookup`,
 * so a DNS answer that changes between the check and the connect (rebinding) is never used unchecked.
 */
export class SsrfGuard {
  private readonly refused = buildRefused();
  private readonly allowedNets = new net.BlockList();
  private readonly allowedHosts = new Set<string>();
  private readonly allowedSuffixes: string[] = [];
  private readonly resolver: Resolver;
  private readonly cache = new Map<string, { at: number; addresses: LookupAddress[] }>();

  constructor(private readonly opts: GuardOptions) {
    this.resolver = opts.resolver ?? defaultResolver;
    for (const raw of opts.allow ?? []) this.addAllowed(raw.trim().toLowerCase());
  }

  private addAllowed(entry: string): void {
    const [addr, bits] = entry.split('/');
    const fam = familyOf(addr);
    if (fam) {
      const prefix = bits === undefined ? (fam === 'ipv4' ? 32 : 128) : Number(bits);
      if (!Number.isInteger(prefix)) throw new Error(`invalid CIDR in delivery allow list: ${entry}`);
      this.allowedNets.addSubnet(addr, prefix, fam);
    } else if (entry.startsWith('.') || entry.startsWith('*.')) {
      this.allowedSuffixes.push(entry.slice(entry.indexOf('.')));
    } else if (entry) {
      this.allowedHosts.add(entry);
    }
  }

  private hostAllowed(host: string): boolean {
    if (this.allowedHosts.has(host)) return true;
    return this.allowedSuffixes.some((s) => host.endsWith(s) || host === s.slice(1));
  }

  /** Whether one address may be connected to (for a host that is not itself allow-listed). */
  addressAllowed(address: string): boolean {
    const fam = familyOf(address);
    if (!fam) return false;
    if (this.allowedNets.check(address, fam)) return true;
    return !this.refused.check(address, fam);
  }

  /** The addresses of `hostname` that may be used; throws BlockedError when there are none. */
  async resolve(hostname: string): Promise<LookupAddress[]> {
    const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const fam = familyOf(host);
    if (fam) {
      if (!this.hostAllowed(host) && !this.addressAllowed(host)) throw new BlockedError(host);
      return [{ address: host, family: fam === 'ipv4' ? 4 : 6 }];
    }
    const now = this.opts.clock.now();
    const hit = this.cache.get(host);
    if (hit && now - hit.at < (this.opts.cacheMs ?? 30_000)) return hit.addresses;
    const all = await this.resolver(host);
    // A host that resolves to public and private addresses keeps only the public ones.
    const ok = this.hostAllowed(host) ? all : all.filter((a) => this.addressAllowed(a.address));
    if (ok.length === 0) throw new BlockedError(host);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(host, { at: now, addresses: ok });
    return ok;
  }

  /** A `lookup` for net/tls.connect that only ever yields checked addresses. */
  readonly lookup = (hostname: string, options: any, callback: (...args: any[]) => void): void => {
    const cb = typeof options === 'function' ? options : callback;
    const opts = typeof options === 'object' && options ? options : {};
    this.resolve(hostname).then(
      (addresses) => {
        const wanted =
          opts.family === 4 || opts.family === 6
            ? addresses.filter((a) => a.family === opts.family)
            : addresses;
        if (wanted.length === 0) return cb(new BlockedError(hostname));
        if (opts.all) cb(null, wanted);
        else cb(null, wanted[0].address, wanted[0].family);
      },
      (err) => cb(err),
    );
  };
}
