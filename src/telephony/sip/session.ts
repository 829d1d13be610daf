/**
 * INVITE sessions, both sides of a B2BUA leg. `InboundCall` is the UAS half (an INVITE we answer),
 * `OutboundCall` the UAC half (an INVITE we send). Both share the in-dialog part: BYE, re-INVITE for
 * hold and its answer, INFO, REFER, and the reliable 2xx that is retransmitted until its ACK arrives
 * (§13.3.1.4). Owners learn what happens through a `SessionListener`.
 */
import { randomBytes } from 'node:crypto';
import type { Cancel, Clock } from '../../clock.js';
import { cseqOf, Dialog, tagOf } from './dialog.js';
import { authorize, type Credentials } from './digest.js';
import { formatNameAddr } from './headers.js';
import { type Header, header, headerList, type SipRequest, type SipResponse } from './message.js';
import {
  type ClientTransaction,
  responseTo,
  type ServerTransaction,
  type Timing,
  type TransactionLayer,
} from './transaction.js';
import type { Peer, Protocol } from './transport.js';

export interface UaContext {
  clock: Clock;
  timing: Timing;
  layer: TransactionLayer;
  via(protocol: Protocol): string;
  contact(protocol: Protocol): string;
  resolve(uri: string, protocol?: Protocol): Promise<Peer | undefined>;
  send(msg: SipRequest | SipResponse, to: Peer): void;
  track(session: InviteSession): void;
  forget(session: InviteSession): void;
  allow: string;
}

export type EndReason = 'bye' | 'cancelled' | 'no-ack' | 'timeout' | 'local';

export interface SessionListener {
  /** The session is over, whoever ended it. Called once. */
  ended(reason: EndReason): void;
  /** The peer sent a new offer (re-INVITE); return our answer's SDP. */
  reoffer?(sdp: string): string | undefined;
  /** DTMF signalled in SIP INFO (application/dtmf-relay). */
  info?(digit: string): void;
  /** The peer asked us to transfer it (REFER); return whether we accept. */
  refer?(target: string): boolean;
}

export const newTag = (): string => randomBytes(6).toString('hex');

const SDP = { name: 'content-type', value: 'application/sdp' };

export abstract class InviteSession {
  dialog: Dialog | undefined;
  listener: SessionListener | undefined;
  state: 'early' | 'confirmed' | 'ended' = 'early';
  protocol: Protocol = 'UDP';
  protected peer: Peer | undefined;
  private reliable: { cancel: Cancel; seq: number } | undefined;
  private reinviting = false;

  constructor(protected readonly ua: UaContext) {}

  get alive(): boolean {
    return this.state !== 'ended';
  }

  /** Ends locally: BYE when a dialog is up; subclasses handle the early cases. */
  abstract hangup(status?: number): void;

  protected finish(reason: EndReason): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.reliable?.cancel();
    this.ua.forget(this);
    this.listener?.ended(reason);
  }

  protected sendBye(): void {
    const d = this.dialog;
    const to = this.peer;
    if (!d || !to) return;
    const bye = d.request('BYE', this.ua.via(to.protocol));
    this.ua.layer.request(bye, to, { response: () => {}, timeout: () => {} });
  }

  /** Sends a 2xx through the server transaction, then again on T1 doubling to T2 until the ACK (§13.3.1.4). */
  protected sendReliable(tx: ServerTransaction, res: SipResponse): void {
    tx.respond(res);
    if (tx.from.protocol !== 'UDP') {
      this.reliable = { cancel: this.giveUpWithoutAck(), seq: cseqOf(res) };
      return;
    }
    const { t1, t2 } = this.ua.timing;
    const started = this.ua.clock.now();
    let cancelTimer: Cancel = () => {};
    const again = (interval: number) => {
      cancelTimer = this.ua.clock.schedule(interval, () => {
        if (this.ua.clock.now() - started >= 64 * t1) return this.noAck();
        this.ua.send(res, tx.replyTo);
        again(Math.min(interval * 2, t2));
      });
    };
    again(t1);
    this.reliable = { cancel: () => cancelTimer(), seq: cseqOf(res) };
  }

  private giveUpWithoutAck(): Cancel {
    return this.ua.clock.schedule(64 * this.ua.timing.t1, () => this.noAck());
  }

  /** No ACK for our 2xx within 64·T1: the session must be ended with a BYE (§13.3.1.4). */
  private noAck(): void {
    this.reliable = undefined;
    this.sendBye();
    this.finish('no-ack');
  }

  onAck(ack: SipRequest): void {
    if (this.reliable && cseqOf(ack) === this.reliable.seq) {
      this.reliable.cancel();
      this.reliable = undefined;
    }
    if (this.state === 'early') this.state = 'confirmed';
  }

  /** A request inside our dialog. */
  onRequest(req: SipRequest, tx: ServerTransaction): void {
    const d = this.dialog!;
    if (!d.acceptRemoteSeq(req)) {
      tx.respond(responseTo(req, 500, d.localTag, 'CSeq Out of Order'));
      return;
    }
    const ok = (extra: Header[] = [], body?: Buffer) => {
      const res = responseTo(req, 200, d.localTag);
      res.headers.push(...extra);
      if (body) res.body = body;
      tx.respond(res);
    };
    switch (req.method) {
      case 'BYE':
        ok();
        this.finish('bye');
        return;
      case 'INVITE': {
        this.onReinvite(req, tx);
        return;
      }
      case 'INFO': {
        ok();
        const digit = /Signal\s*=\s*([0-9*#A-Da-d])/.exec(req.body.toString())?.[1];
        if (digit && /dtmf-relay/i.test(header(req, 'content-type') ?? '')) this.listener?.info?.(digit);
        return;
      }
      case 'REFER': {
        this.onRefer(req, tx);
        return;
      }
      case 'OPTIONS': {
        ok([{ name: 'allow', value: this.ua.allow }]);
        return;
      }
      case 'UPDATE': {
        tx.respond(responseTo(req, 501, d.localTag));
        return;
      }
      default:
        tx.respond(responseTo(req, 405, d.localTag));
    }
  }

  private onReinvite(req: SipRequest, tx: ServerTransaction): void {
    const d = this.dialog!;
    if (this.reinviting || this.reliable) {
      tx.respond(responseTo(req, 491, d.localTag));
      return;
    }
    const answer = this.listener?.reoffer?.(req.body.toString());
    if (answer === undefined) {
      tx.respond(responseTo(req, 488, d.localTag));
      return;
    }
    const res = responseTo(req, 200, d.localTag);
    res.headers.push({ name: 'contact', value: this.ua.contact(this.protocol) }, SDP);
    res.body = Buffer.from(answer);
    this.sendReliable(tx, res);
  }

  private onRefer(req: SipRequest, tx: ServerTransaction): void {
    const d = this.dialog!;
    const referTo = header(req, 'refer-to');
    const target = referTo ? (/<([^>]+)>/.exec(referTo)?.[1] ?? referTo.split(';')[0].trim()) : undefined;
    if (!target || !this.listener?.refer?.(target)) {
      tx.respond(responseTo(req, 603, d.localTag));
      return;
    }
    tx.respond(responseTo(req, 202, d.localTag));
    // RFC 3515 §2.4.4: the implicit subscription's first NOTIFY says the transfer is under way; the
    // owner sends the final one (referOutcome) when the transfer target answers or fails.
    this.referOutcome(100, 'Trying');
  }

  /**
   * Tells the phone that sent REFER how its transfer is going (RFC 3515 §2.4.5): a provisional keeps
   * the implicit subscription active, a final status ends it.
   */
  referOutcome(status: number, reason: string): void {
    const state = status < 200 ? 'active;expires=60' : 'terminated;reason=noresource';
    this.notify(`SIP/2.0 ${status} ${reason}\r\n`, state);
  }

  private notify(sipfrag: string, state: string): void {
    const d = this.dialog;
    const to = this.peer;
    if (!d || !to || this.state === 'ended') return;
    const req = d.request(
      'NOTIFY',
      this.ua.via(to.protocol),
      [
        { name: 'event', value: 'refer' },
        { name: 'subscription-state', value: state },
        { name: 'contact', value: this.ua.contact(this.protocol) },
        { name: 'content-type', value: 'message/sipfrag;version=2.0' },
      ],
      Buffer.from(sipfrag),
    );
    this.ua.layer.request(req, to, { response: () => {}, timeout: () => {} });
  }

  /** Sends a re-INVITE (hold/unhold); resolves with the peer's answer SDP, or undefined on failure. */
  reinvite(sdp: string): Promise<string | undefined> {
    const d = this.dialog;
    const to = this.peer;
    if (!d || !to || this.state !== 'confirmed' || this.reinviting) return Promise.resolve(undefined);
    this.reinviting = true;
    const req = d.request('INVITE', this.ua.via(to.protocol), [
      { name: 'contact', value: this.ua.contact(this.protocol) },
      SDP,
    ]);
    req.body = Buffer.from(sdp);
    return new Promise((resolve) => {
      const done = (v: string | undefined) => {
        this.reinviting = false;
        resolve(v);
      };
      this.ua.layer.request(req, to, {
        response: (res) => {
          if (res.status < 200) return;
          if (res.status < 300) {
            this.ua.send(d.request('ACK', this.ua.via(to.protocol), [], undefined, cseqOf(req)), to);
            return done(res.body.toString());
          }
          // §14.1: a 408 or 481 to a re-INVITE ends the dialog.
          if (res.status === 408 || res.status === 481) this.hangup();
          done(undefined);
        },
        timeout: () => {
          this.hangup();
          done(undefined);
        },
      });
    });
  }
}

/** An INVITE that reached us: ring, answer or reject it; the dialog starts with our first tagged answer. */
export class InboundCall extends InviteSession {
  readonly localTag = newTag();
  readonly callId: string;

  constructor(
    ua: UaContext,
    readonly request: SipRequest,
    readonly tx: ServerTransaction,
  ) {
    super(ua);
    this.protocol = tx.from.protocol;
    this.peer = undefined;
    this.callId = header(request, 'call-id') ?? '';
    this.dialog = Dialog.asServer(request, this.localTag);
  }

  get answered(): boolean {
    return this.tx.state !== 'proceeding';
  }

  /** Resolves where BYEs and re-INVITEs go; call once before answering. */
  async prepare(): Promise<void> {
    this.peer = (await this.ua.resolve(this.dialog!.nextHop(), this.protocol)) ?? this.tx.replyTo;
    this.ua.track(this);
  }

  ring(): void {
    if (this.tx.state !== 'proceeding') return;
    const res = responseTo(this.request, 180, this.localTag);
    res.headers.push({ name: 'contact', value: this.ua.contact(this.protocol) });
    this.tx.respond(res);
  }

  accept(sdp: string): void {
    if (this.tx.state !== 'proceeding' || this.state === 'ended') return;
    const res = responseTo(this.request, 200, this.localTag);
    res.headers.push(
      ...headerList(this.request, 'record-route').map((value) => ({ name: 'record-route', value })),
      { name: 'contact', value: this.ua.contact(this.protocol) },
      { name: 'allow', value: this.ua.allow },
      SDP,
    );
    res.body = Buffer.from(sdp);
    this.sendReliable(this.tx, res);
  }

  reject(status: number): void {
    if (this.tx.state !== 'proceeding') return;
    this.tx.respond(responseTo(this.request, status, this.localTag));
    this.finish('local');
  }

  /** The caller's CANCEL (§9.2): 487 to the INVITE if it is still unanswered. */
  onCancel(): void {
    if (this.tx.state !== 'proceeding') return;
    this.tx.respond(responseTo(this.request, 487, this.localTag));
    this.finish('cancelled');
  }

  hangup(status = 480): void {
    if (this.state === 'ended') return;
    if (this.tx.state === 'proceeding') {
      this.reject(status);
      return;
    }
    this.sendBye();
    this.finish('local');
  }
}

export interface OutboundListener extends SessionListener {
  progress(status: number): void;
  answered(sdp: string): void;
  /** A final failure (status) or 408 when nobody answered at all. */
  failed(status: number): void;
}

export interface OutboundRequest {
  /** Request-URI. */
  target: string;
  from: { uri: string; display?: string };
  to: string;
  sdp: string;
  /** First hop: the trunk proxy or the target's own address. */
  via: Peer;
  credentials?: Credentials;
  headers?: Header[];
}

/** An INVITE we send: follows provisionals, answers Digest challenges once, CANCELs on demand. */
export class OutboundCall extends InviteSession {
  declare listener: OutboundListener | undefined;
  private tx: ClientTransaction | undefined;
  private invite: SipRequest;
  private provisional = false;
  private cancelWanted = false;
  private cancelSent = false;
  private authTried = false;
  private final = false;
  private ack: SipRequest | undefined;

  constructor(
    ua: UaContext,
    private readonly req: OutboundRequest,
  ) {
    super(ua);
    this.peer = req.via;
    this.protocol = req.via.protocol;
    const headers: Header[] = [
      { name: 'via', value: ua.via(this.protocol) },
      { name: 'max-forwards', value: '70' },
      {
        name: 'from',
        value: formatNameAddr({ display: req.from.display, uri: req.from.uri, params: { tag: newTag() } }),
      },
      { name: 'to', value: `<${req.to}>` },
      { name: 'call-id', value: `${randomBytes(10).toString('hex')}@switchboard` },
      { name: 'cseq', value: '1 INVITE' },
      { name: 'contact', value: ua.contact(this.protocol) },
      { name: 'allow', value: ua.allow },
      ...(req.headers ?? []),
      SDP,
    ];
    this.invite = { kind: 'request', method: 'INVITE', uri: req.target, headers, body: Buffer.from(req.sdp) };
  }

  get callId(): string {
    return header(this.invite, 'call-id') ?? '';
  }

  start(): void {
    this.ua.track(this);
    this.send(this.invite);
  }

  private send(invite: SipRequest): void {
    this.invite = invite;
    this.tx = this.ua.layer.request(invite, this.req.via, {
      response: (res) => this.onResponse(res),
      timeout: () => this.fail(408),
    });
  }

  private onResponse(res: SipResponse): void {
    if (res.status < 200) {
      this.onProvisional(res);
      return;
    }
    if (res.status < 300) {
      this.onSuccess(res);
      return;
    }
    if (this.final) return;
    if ((res.status === 401 || res.status === 407) && this.retryWithAuth(res)) return;
    this.fail(res.status);
  }

  private onProvisional(res: SipResponse): void {
    if (this.final || this.state === 'ended') return;
    this.provisional = true;
    if (this.cancelWanted) {
      this.sendCancel();
      return;
    }
    if (res.status > 100) this.listener?.progress(res.status);
  }

  private onSuccess(res: SipResponse): void {
    const remoteTag = tagOf(header(res, 'to'));
    if (this.dialog && this.dialog.remoteTag === remoteTag && this.ack) {
      this.ua.send(this.ack, this.peer!); // a retransmitted 2xx: our ACK was lost
      return;
    }
    const dialog = Dialog.asClient(this.invite, res);
    const ack = dialog.request('ACK', this.ua.via(this.protocol), [], undefined, cseqOf(this.invite));
    if (this.dialog || this.state === 'ended' || this.cancelWanted) {
      // A second fork's 2xx, or a 2xx that crossed our CANCEL: confirm it, then end it (§13.2.2.4).
      this.ua.send(ack, this.req.via);
      this.ua.layer.request(dialog.request('BYE', this.ua.via(this.protocol)), this.req.via, {
        response: () => {},
        timeout: () => {},
      });
      if (!this.dialog) this.fail(487);
      return;
    }
    this.final = true;
    this.dialog = dialog;
    this.ack = ack;
    this.state = 'confirmed';
    this.ua.track(this);
    this.ua.send(ack, this.peer!);
    this.listener?.answered(res.body.toString());
  }

  /** Answers a 401/407 once, as §22.2 says: same Call-ID, CSeq + 1, a new branch. */
  private retryWithAuth(res: SipResponse): boolean {
    const creds = this.req.credentials;
    if (!creds || this.authTried || this.cancelWanted) return false;
    const proxy = res.status === 407;
    const challenge = header(res, proxy ? 'proxy-authenticate' : 'www-authenticate');
    const value = challenge && authorize(challenge, creds, 'INVITE', this.invite.uri);
    if (!value) return false;
    this.authTried = true;
    const next: SipRequest = {
      ...this.invite,
      headers: this.invite.headers
        .filter((h) => h.name !== 'authorization' && h.name !== 'proxy-authorization')
        .map((h) => {
          if (h.name === 'via') return { name: 'via', value: this.ua.via(this.protocol) };
          if (h.name === 'cseq') return { name: 'cseq', value: `${cseqOf(this.invite) + 1} INVITE` };
          return h;
        }),
    };
    next.headers.push({ name: proxy ? 'proxy-authorization' : 'authorization', value });
    this.send(next);
    return true;
  }

  private fail(status: number): void {
    if (this.final) return;
    this.final = true;
    this.state = 'ended';
    this.ua.forget(this);
    this.listener?.failed(status);
  }

  /** CANCEL once a provisional has arrived (§9.1); until then the wish is remembered. */
  cancel(): void {
    if (this.final || this.cancelWanted) return;
    this.cancelWanted = true;
    if (this.provisional) this.sendCancel();
    // Nobody answers the CANCEL or the INVITE: give up after 64·T1 like Timer B would.
    this.ua.clock.schedule(64 * this.ua.timing.t1, () => {
      this.tx?.end();
      this.fail(487);
    });
  }

  private sendCancel(): void {
    if (this.cancelSent) return;
    this.cancelSent = true;
    const keep = new Set(['call-id', 'from', 'to', 'route', 'max-forwards']);
    const headers: Header[] = [
      { name: 'via', value: headerList(this.invite, 'via')[0] },
      ...this.invite.headers.filter((h) => keep.has(h.name)),
      { name: 'cseq', value: `${cseqOf(this.invite)} CANCEL` },
    ];
    const cancel: SipRequest = {
      kind: 'request',
      method: 'CANCEL',
      uri: this.invite.uri,
      headers,
      body: Buffer.alloc(0),
    };
    this.ua.layer.request(cancel, this.req.via, { response: () => {}, timeout: () => {} });
  }

  hangup(): void {
    if (this.state === 'ended') return;
    if (!this.dialog) {
      this.cancel();
      return;
    }
    this.sendBye();
    this.finish('local');
  }

  /** Our ACK was lost and the peer repeats its 2xx after the transaction ended. */
  reack(): void {
    if (this.ack && this.peer) this.ua.send(this.ack, this.peer);
  }
}
