/**
 * REGISTER (RFC 3261 §10) for users' softphones: Digest-checked against an extension's password,
 * bindings kept in memory with their expiry on the injected clock. Until the users resource carries
 * SIP passwords, the directory is the documented static list `SIP_USERS` (extension:password,…).
 */
import type { Clock } from '../../clock.js';
import { DigestChallenger } from './digest.js';
import { parseNameAddr, parseUri } from './headers.js';
import { header, headerList, type SipRequest } from './message.js';
import { responseTo, type ServerTransaction } from './transaction.js';
import type { Peer } from './transport.js';

export interface Binding {
  contact: string;
  expiresAt: number;
  /** Where the REGISTER came from: used when the Contact is not reachable as written (NAT). */
  source: Peer;
}

const MIN_EXPIRES = 60;
const MAX_EXPIRES = 3600;

export class Registrar {
  private readonly bindings = new Map<string, Binding[]>();
  private readonly digest: DigestChallenger;

  constructor(
    private readonly clock: Clock,
    readonly domain: string,
    private readonly passwords: (extension: string) => string | undefined,
  ) {
    this.digest = new DigestChallenger(domain, () => clock.now());
  }

  handle(req: SipRequest, tx: ServerTransaction, from: Peer): void {
    const aor = parseUri(parseNameAddr(header(req, 'to') ?? '')?.uri ?? '');
    const ext = aor?.user;
    if (!ext || this.passwords(ext) === undefined) {
      tx.respond(responseTo(req, 404));
      return;
    }
    const auth = header(req, 'authorization');
    const verdict = auth
      ? this.digest.verify(auth, 'REGISTER', (u) => (u === ext ? this.passwords(u) : undefined))
      : undefined;
    if (!verdict || verdict.result === 'stale') {
      const res = responseTo(req, 401, 'reg');
      res.headers.push({
        name: 'www-authenticate',
        value: this.digest.challenge(verdict?.result === 'stale'),
      });
      tx.respond(res);
      return;
    }
    if (verdict.result === 'bad') {
      tx.respond(responseTo(req, 403, 'reg'));
      return;
    }
    const status = this.update(ext, req, from);
    const res = responseTo(req, status, 'reg');
    if (status === 423) res.headers.push({ name: 'min-expires', value: String(MIN_EXPIRES) });
    for (const b of this.contacts(ext))
      res.headers.push({
        name: 'contact',
        value: `<${b.contact}>;expires=${Math.round((b.expiresAt - this.clock.now()) / 1000)}`,
      });
    tx.respond(res);
  }

  private update(ext: string, req: SipRequest, from: Peer): number {
    const now = this.clock.now();
    const contacts = headerList(req, 'contact');
    const defaultExpires = Number(header(req, 'expires') ?? MAX_EXPIRES);
    if (contacts.length === 1 && contacts[0] === '*') {
      this.bindings.delete(ext);
      return 200;
    }
    let list = this.contacts(ext);
    for (const c of contacts) {
      const na = parseNameAddr(c);
      if (!na) return 400;
      const raw = na.params.expires ?? defaultExpires;
      const expires = Math.min(MAX_EXPIRES, Number(raw));
      if (!Number.isFinite(expires) || expires < 0) return 400;
      list = list.filter((b) => b.contact !== na.uri);
      if (expires === 0) continue;
      if (expires < MIN_EXPIRES) return 423;
      list.push({ contact: na.uri, expiresAt: now + expires * 1000, source: from });
    }
    this.bindings.set(ext, list);
    return 200;
  }

  /** Live bindings of an extension, newest first. */
  contacts(ext: string): Binding[] {
    const now = this.clock.now();
    const live = (this.bindings.get(ext) ?? []).filter((b) => b.expiresAt > now);
    if (live.length) this.bindings.set(ext, live);
    else this.bindings.delete(ext);
    return [...live].reverse();
  }
}

/** `101:secret,102:other` → a lookup (the static list documented in docs/sip.md). */
export function staticUsers(spec: string | undefined): (ext: string) => string | undefined {
  const map = new Map<string, string>();
  for (const item of (spec ?? '').split(',')) {
    const i = item.indexOf(':');
    if (i > 0) map.set(item.slice(0, i).trim(), item.slice(i + 1).trim());
  }
  return (ext) => map.get(ext);
}
