/**
 * The user agent core: sits on the transport and the transaction layer, applies the checks every
 * request gets (§8.2: Max-Forwards, loops, URI scheme, Require), routes in-dialog requests to their
 * session, answers OPTIONS and CANCEL, and hands new INVITEs and REGISTERs to its owner.
 */
import { randomBytes } from 'node:crypto';
import dns from 'node:dns/promises';
import net from 'node:net';
import type { Clock } from '../../clock.js';
import { dialogKey, tagOf } from './dialog.js';
import { parseCSeq, parseUri, parseVia } from './headers.js';
import { header, headerList, type SipMessage, type SipRequest, type SipResponse } from './message.js';
import {
  InboundCall,
  type InviteSession,
  OutboundCall,
  type OutboundRequest,
  type UaContext,
} from './session.js';
import {
  DEFAULT_TIMING,
  responseTo,
  type ServerTransaction,
  type Timing,
  TransactionLayer,
} from './transaction.js';
import { listen, type Peer, type Protocol, type Transport } from './transport.js';

export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, REGISTER';

export interface UaOptions {
  clock: Clock;
  listenHost: string;
  listenPort: number;
  /** What goes into Via and Contact: the address peers can reach (SIP_PUBLIC_ADDRESS). */
  publicHost?: string;
  publicPort?: number;
  timing?: Timing;
}

export interface UaHandlers {
  invite(call: InboundCall): void;
  register?(req: SipRequest, tx: ServerTransaction, from: Peer): void;
}

export class UserAgent implements UaContext {
  readonly clock: Clock;
  readonly timing: Timing;
  readonly layer: TransactionLayer;
  readonly allow = ALLOW;
  /** Every branch we create starts with this, so a request that carries one of ours has looped. */
  private readonly branchPrefix = `z9hG4bK${randomBytes(4).toString('hex')}`;
  private readonly sessions = new Map<string, InviteSession>();
  /** INVITEs being answered, by Call-ID/From-tag/CSeq: a second copy on another branch is a loop (§8.2.2.2). */
  private readonly pending = new Map<string, { branch: string; call: InboundCall }>();
  private transport: Transport | undefined;
  host = '127.0.0.1';
  port = 0;

  constructor(
    private readonly opts: UaOptions,
    private readonly handlers: UaHandlers,
  ) {
    this.clock = opts.clock;
    this.timing = opts.timing ?? DEFAULT_TIMING;
    this.layer = new TransactionLayer(
      this.clock,
      { send: (m, to) => this.send(m, to) },
      {
        request: (req, tx, from) => this.onRequest(req, tx, from),
        strayResponse: (res) => this.onStray(res),
      },
      this.timing,
    );
  }

  async start(): Promise<void> {
    this.transport = await listen(this.opts.listenHost, this.opts.listenPort, {
      message: (msg, from) => this.receive(msg, from),
      malformed: (error, status, from, req) => this.malformed(error, status, from, req),
    });
    this.host = this.opts.publicHost ?? this.transport.address.host;
    this.port = this.opts.publicPort ?? this.transport.address.port;
  }

  get boundPort(): number {
    return this.transport?.address.port ?? 0;
  }

  get dialogs(): number {
    return this.sessions.size;
  }

  async stop(): Promise<void> {
    await this.transport?.close();
  }

  send(msg: SipMessage, to: Peer): void {
    this.transport?.send(msg, to);
  }

  receive(msg: SipMessage, from: Peer): void {
    this.layer.receive(msg, from);
  }

  via(protocol: Protocol): string {
    return `SIP/2.0/${protocol} ${this.host}:${this.port};branch=${this.branchPrefix}${randomBytes(6).toString('hex')};rport`;
  }

  contact(protocol: Protocol): string {
    return `<sip:switchboard@${this.host}:${this.port}${protocol === 'TCP' ? ';transport=tcp' : ''}>`;
  }

  /** A SIP URI's address (§19.1.2 defaults, A/AAAA lookup; no NAPTR/SRV). */
  async resolve(uri: string, protocol?: Protocol): Promise<Peer | undefined> {
    const u = parseUri(uri);
    if (!u || u.scheme === 'tel') return undefined;
    const proto: Protocol = (u.params.transport ?? protocol ?? 'udp').toUpperCase() === 'TCP' ? 'TCP' : 'UDP';
    let host = u.host.replace(/^\[|\]$/g, '');
    if (!net.isIP(host)) {
      try {
        host = (await dns.lookup(host)).address;
      } catch {
        return undefined;
      }
    }
    return { protocol: proto, host, port: u.port ?? 5060 };
  }

  track(s: InviteSession): void {
    if (s.dialog) this.sessions.set(s.dialog.key, s);
  }

  forget(s: InviteSession): void {
    if (s.dialog && this.sessions.get(s.dialog.key) === s) this.sessions.delete(s.dialog.key);
    if (s instanceof InboundCall) this.pending.delete(pendingKey(s.request));
  }

  call(req: OutboundRequest): OutboundCall {
    return new OutboundCall(this, req);
  }

  private malformed(error: string, status: 400 | 505, from: Peer, req?: SipRequest): void {
    // Answer what we can answer (it needs a Via to go back on); drop the rest, and never answer an ACK.
    if (!req || req.method === 'ACK' || !headerList(req, 'via')[0] || !parseVia(headerList(req, 'via')[0]))
      return;
    this.layer.sender.send(responseTo(req, status, undefined, error.slice(0, 80)), from);
  }

  private onRequest(req: SipRequest, tx: ServerTransaction | undefined, from: Peer): void {
    if (!tx) {
      this.onAck(req);
      return;
    }
    const reject = this.check(req);
    if (reject) {
      tx.respond(reject);
      return;
    }
    const toTag = tagOf(header(req, 'to'));
    if (toTag) {
      this.inDialog(req, tx, toTag);
      return;
    }
    switch (req.method) {
      case 'INVITE': {
        this.onInvite(req, tx);
        return;
      }
      case 'CANCEL': {
        this.onCancel(req, tx);
        return;
      }
      case 'OPTIONS': {
        const res = responseTo(req, 200, randomBytes(4).toString('hex'));
        res.headers.push({ name: 'allow', value: ALLOW }, { name: 'accept', value: 'application/sdp' });
        tx.respond(res);
        return;
      }
      case 'REGISTER':
        if (this.handlers.register) {
          this.handlers.register(req, tx, from);
          return;
        }
        {
          tx.respond(responseTo(req, 405));
          return;
        }
      case 'BYE':
      case 'INFO':
      case 'REFER':
      case 'NOTIFY': {
        tx.respond(responseTo(req, 481));
        return;
      }
      default: {
        const res = responseTo(req, 405);
        res.headers.push({ name: 'allow', value: ALLOW });
        tx.respond(res);
      }
    }
  }

  /** The §8.2 checks, in the RFC's order; a response means "refuse with this". */
  private check(req: SipRequest): SipResponse | undefined {
    const mf = header(req, 'max-forwards');
    if (mf !== undefined && Number(mf) === 0 && req.method !== 'OPTIONS') return responseTo(req, 483);
    for (const v of headerList(req, 'via')) {
      if (parseVia(v)?.params.branch?.startsWith(this.branchPrefix)) return responseTo(req, 482);
    }
    const scheme = /^([a-z]+):/i.exec(req.uri)?.[1]?.toLowerCase();
    if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') return responseTo(req, 416);
    const require = header(req, 'require');
    if (require && req.method !== 'CANCEL') {
      const res = responseTo(req, 420);
      res.headers.push({ name: 'unsupported', value: require });
      return res;
    }
    return undefined;
  }

  private onInvite(req: SipRequest, tx: ServerTransaction): void {
    const key = pendingKey(req);
    const branch = parseVia(headerList(req, 'via')[0])?.params.branch ?? '';
    const seen = this.pending.get(key);
    if (seen && seen.branch !== branch) {
      tx.respond(responseTo(req, 482));
      return;
    }
    const ctype = header(req, 'content-type');
    if (req.body.length && ctype && !/application\/sdp/i.test(ctype)) {
      tx.respond(responseTo(req, 415));
      return;
    }
    const call = new InboundCall(this, req, tx);
    this.pending.set(key, { branch, call });
    // Forget it once the transaction is over; the dialog, if any, lives on in `sessions`.
    this.clock.schedule(64 * this.timing.t1, () => {
      if (this.pending.get(key)?.call === call) this.pending.delete(key);
    });
    this.handlers.invite(call);
  }

  private onCancel(req: SipRequest, tx: ServerTransaction): void {
    const invite = this.layer.inviteFor(req);
    if (!invite) {
      tx.respond(responseTo(req, 481));
      return;
    }
    tx.respond(responseTo(req, 200));
    for (const { call } of this.pending.values())
      if (call.tx === invite) {
        call.onCancel();
        return;
      }
  }

  private inDialog(req: SipRequest, tx: ServerTransaction, toTag: string): void {
    const s = this.sessions.get(
      dialogKey(header(req, 'call-id') ?? '', toTag, tagOf(header(req, 'from')) ?? ''),
    );
    if (!s?.dialog || !s.alive) {
      tx.respond(responseTo(req, 481));
      return;
    }
    s.onRequest(req, tx);
  }

  private onAck(ack: SipRequest): void {
    const key = dialogKey(
      header(ack, 'call-id') ?? '',
      tagOf(header(ack, 'to')) ?? '',
      tagOf(header(ack, 'from')) ?? '',
    );
    this.sessions.get(key)?.onAck(ack);
  }

  /** A 2xx retransmitted after its transaction ended: the session re-sends its ACK. */
  private onStray(res: SipResponse): void {
    if (res.status < 200 || res.status >= 300 || parseCSeq(header(res, 'cseq') ?? '')?.method !== 'INVITE')
      return;
    const key = dialogKey(
      header(res, 'call-id') ?? '',
      tagOf(header(res, 'from')) ?? '',
      tagOf(header(res, 'to')) ?? '',
    );
    const s = this.sessions.get(key);
    if (s instanceof OutboundCall) s.reack();
  }
}

function pendingKey(req: SipRequest): string {
  return `${header(req, 'call-id')}|${tagOf(header(req, 'from'))}|${parseCSeq(header(req, 'cseq') ?? '')?.seq}`;
}
