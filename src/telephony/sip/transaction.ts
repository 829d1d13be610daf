/**
 * The transaction layer (RFC 3261 §17, with RFC 6026's Accepted states): one small state machine per
 * client and server transaction, matched by the top Via branch, with timers A–K on the injected clock.
 * Timers that only retransmit (A, E, G) run on unreliable transports alone.
 */
import { randomBytes } from 'node:crypto';
import type { Cancel, Clock } from '../../clock.js';
import { parseCSeq, parseVia } from './headers.js';
import {
  header,
  headerList,
  REASONS,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from './message.js';
import type { Peer } from './transport.js';

export interface Timing {
  t1: number;
  t2: number;
  t4: number;
}

export const DEFAULT_TIMING: Timing = { t1: 500, t2: 4000, t4: 5000 };

export interface ClientCallbacks {
  response(res: SipResponse): void;
  /** Timer B or F fired: no final response. */
  timeout(): void;
}

export interface LayerHandlers {
  /** A new request (not a retransmission). ACKs for 2xx arrive here with no transaction (§17.2.3). */
  request(req: SipRequest, tx: ServerTransaction | undefined, from: Peer): void;
  /** A response no client transaction claims: a retransmitted 2xx, for the dialog to ACK again. */
  strayResponse(res: SipResponse, from: Peer): void;
}

export interface Sender {
  send(msg: SipMessage, to: Peer): void;
}

const MAGIC = 'z9hG4bK';

export function newBranch(): string {
  return `${MAGIC}${randomBytes(8).toString('hex')}`;
}

export function topVia(msg: SipMessage) {
  const first = headerList(msg, 'via')[0];
  return first === undefined ? undefined : parseVia(first);
}

function serverKey(req: SipRequest): string {
  const via = topVia(req);
  const method = req.method === 'ACK' ? 'INVITE' : req.method;
  const branch = via?.params.branch ?? '';
  if (branch.startsWith(MAGIC)) return `${branch}|${via?.host}:${via?.port ?? ''}|${method}`;
  // RFC 2543 peers: fall back to the dialog and sequence identifiers (§17.2.3).
  const cseq = parseCSeq(header(req, 'cseq') ?? '');
  return `${header(req, 'call-id')}|${header(req, 'from')}|${cseq?.seq}|${headerList(req, 'via')[0]}|${method}`;
}

function clientKey(msg: SipMessage): string {
  const cseq = parseCSeq(header(msg, 'cseq') ?? '');
  const method = cseq?.method === 'ACK' ? 'INVITE' : (cseq?.method ?? '');
  return `${topVia(msg)?.params.branch ?? ''}|${method}`;
}

/** A response built from a request as §8.2.6 says: Via, From, To, Call-ID and CSeq copied, To tagged. */
export function responseTo(req: SipRequest, status: number, toTag?: string, reason?: string): SipResponse {
  const headers = req.headers
    .filter(
      (h) =>
        h.name === 'via' || h.name === 'from' || h.name === 'call-id' || h.name === 'cseq' || h.name === 'to',
    )
    .map((h) => ({ ...h }));
  if (toTag && status > 100) {
    const to = headers.find((h) => h.name === 'to');
    if (to && !/;\s*tag=/i.test(to.value)) to.value += `;tag=${toTag}`;
  }
  return {
    kind: 'response',
    status,
    reason: reason ?? REASONS[status] ?? 'Unknown',
    headers,
    body: Buffer.alloc(0),
  };
}

/** Where a response goes (§18.2.2 with RFC 3581 rport): the connection for TCP, the source for UDP. */
export function responsePeer(req: SipRequest, from: Peer): Peer {
  if (from.protocol === 'TCP') return from;
  const via = topVia(req);
  const port = !via || 'rport' in via.params ? from.port : (via.port ?? 5060);
  return { protocol: 'UDP', host: from.host, port };
}

export class TransactionLayer {
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly clients = new Map<string, ClientTransaction>();

  constructor(
    readonly clock: Clock,
    readonly sender: Sender,
    private readonly handlers: LayerHandlers,
    readonly timing: Timing = DEFAULT_TIMING,
  ) {}

  get size(): { servers: number; clients: number } {
    return { servers: this.servers.size, clients: this.clients.size };
  }

  receive(msg: SipMessage, from: Peer): void {
    if (msg.kind === 'response') {
      const tx = this.clients.get(clientKey(msg));
      if (tx) tx.onResponse(msg);
      else this.handlers.strayResponse(msg, from);
      return;
    }
    const key = serverKey(msg);
    const tx = this.servers.get(key);
    if (tx) {
      tx.onRequest(msg);
      return;
    }
    if (msg.method === 'ACK') {
      this.handlers.request(msg, undefined, from);
      return;
    }
    const created = new ServerTransaction(this, key, msg, from);
    this.servers.set(key, created);
    this.handlers.request(msg, created, from);
  }

  /** The INVITE server transaction a CANCEL refers to (§9.2: same branch, method INVITE). */
  inviteFor(cancel: SipRequest): ServerTransaction | undefined {
    return this.servers.get(serverKey({ ...cancel, method: 'INVITE' }));
  }

  request(req: SipRequest, to: Peer, cb: ClientCallbacks): ClientTransaction {
    const tx = new ClientTransaction(this, clientKey(req), req, to, cb);
    this.clients.set(tx.key, tx);
    tx.start();
    return tx;
  }

  forgetServer(tx: ServerTransaction): void {
    if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
  }

  forgetClient(tx: ClientTransaction): void {
    if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
  }
}

type ServerState = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

export class ServerTransaction {
  state: ServerState = 'proceeding';
  private last: SipResponse | undefined;
  /** Where responses go (§18.2.2). */
  readonly replyTo: Peer;
  private timers: Cancel[] = [];
  /** Called when a CANCEL or a timeout ends this transaction before the TU answered. */
  onCancel: (() => void) | undefined;
  onAck: ((ack: SipRequest) => void) | undefined;

  constructor(
    private readonly layer: TransactionLayer,
    readonly key: string,
    readonly request: SipRequest,
    readonly from: Peer,
  ) {
    this.replyTo = responsePeer(request, from);
    // §17.2.1: a 100 stops the client's INVITE retransmissions while the engine decides.
    if (request.method === 'INVITE') this.respond(responseTo(request, 100));
  }

  get isInvite(): boolean {
    return this.request.method === 'INVITE';
  }

  get answered(): boolean {
    return this.state !== 'proceeding';
  }

  respond(res: SipResponse): void {
    if (this.state !== 'proceeding') return;
    this.last = res;
    this.layer.sender.send(res, this.replyTo);
    if (res.status < 200) return;
    const { t1, t2 } = this.layer.timing;
    const udp = this.replyTo.protocol === 'UDP';
    if (this.isInvite && res.status < 300) {
      // RFC 6026 Accepted: absorb retransmitted INVITEs; the dialog retransmits the 2xx itself.
      this.state = 'accepted';
      this.after(64 * t1, () => this.end());
    } else if (this.isInvite) {
      this.state = 'completed';
      if (udp) this.retransmit(t1, t2);
      this.after(64 * t1, () => this.end());
    } else {
      this.state = 'completed';
      this.after(udp ? 64 * t1 : 0, () => this.end());
    }
  }

  onRequest(req: SipRequest): void {
    if (req.method === 'ACK') {
      if (this.state === 'completed') {
        this.state = 'confirmed';
        for (const c of this.timers) c();
        this.timers = [];
        this.after(this.replyTo.protocol === 'UDP' ? this.layer.timing.t4 : 0, () => this.end());
      }
      return;
    }
    // A retransmitted request: repeat the last response (§17.2.1, §17.2.2).
    if (this.last && this.state !== 'confirmed' && this.state !== 'terminated')
      this.layer.sender.send(this.last, this.replyTo);
  }

  private retransmit(interval: number, cap: number): void {
    this.after(interval, () => {
      if (this.state !== 'completed' || !this.last) return;
      this.layer.sender.send(this.last, this.replyTo);
      this.retransmit(Math.min(interval * 2, cap), cap);
    });
  }

  private after(ms: number, fn: () => void): void {
    this.timers.push(this.layer.clock.schedule(ms, fn));
  }

  end(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    for (const c of this.timers) c();
    this.timers = [];
    this.layer.forgetServer(this);
  }
}

type ClientState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export class ClientTransaction {
  state: ClientState = 'calling';
  private timers: Cancel[] = [];

  constructor(
    private readonly layer: TransactionLayer,
    readonly key: string,
    readonly request: SipRequest,
    readonly to: Peer,
    private readonly cb: ClientCallbacks,
  ) {}

  get isInvite(): boolean {
    return this.request.method === 'INVITE';
  }

  start(): void {
    const { t1, t2 } = this.layer.timing;
    this.layer.sender.send(this.request, this.to);
    if (this.to.protocol === 'UDP') this.retransmit(t1, this.isInvite ? Number.POSITIVE_INFINITY : t2);
    this.after(64 * t1, () => {
      if (this.state !== 'calling' && this.state !== 'proceeding') return;
      this.end();
      this.cb.timeout();
    });
  }

  onResponse(res: SipResponse): void {
    const { t1, t4 } = this.layer.timing;
    const udp = this.to.protocol === 'UDP';
    if (res.status < 200) {
      // A provisional after the final response is stale (§17.1.1.2): ignore it.
      if (this.state !== 'calling' && this.state !== 'proceeding') return;
      // Timer B only guards Calling; a ringing INVITE waits for the TU's CANCEL (§17.1.1.2).
      if (this.isInvite) this.stopTimers();
      this.state = 'proceeding';
      this.cb.response(res);
      return;
    }
    if (this.isInvite && res.status >= 300) {
      if (this.state === 'completed') {
        this.ack(res);
        return;
      }
      if (this.state !== 'calling' && this.state !== 'proceeding') return;
      this.stopTimers();
      this.state = 'completed';
      this.ack(res);
      this.after(udp ? 32_000 : 0, () => this.end());
      this.cb.response(res);
      return;
    }
    if (this.isInvite) {
      // 2xx: every copy goes to the TU, which ACKs it (§13.2.2.4); Timer M keeps us matching them.
      if (this.state === 'calling' || this.state === 'proceeding') {
        this.stopTimers();
        this.state = 'accepted';
        this.after(64 * t1, () => this.end());
      }
      if (this.state === 'accepted') this.cb.response(res);
      return;
    }
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.stopTimers();
    this.state = 'completed';
    this.after(udp ? t4 : 0, () => this.end());
    this.cb.response(res);
  }

  /** The ACK for a non-2xx final response belongs to this transaction (§17.1.1.3). */
  private ack(res: SipResponse): void {
    const req = this.request;
    const keep = new Set(['call-id', 'from', 'route', 'max-forwards']);
    const headers = [
      { name: 'via', value: headerList(req, 'via')[0] },
      ...req.headers.filter((h) => keep.has(h.name)),
      { name: 'to', value: header(res, 'to') ?? header(req, 'to') ?? '' },
      { name: 'cseq', value: `${parseCSeq(header(req, 'cseq') ?? '')?.seq ?? 1} ACK` },
    ];
    this.layer.sender.send(
      { kind: 'request', method: 'ACK', uri: req.uri, headers, body: Buffer.alloc(0) },
      this.to,
    );
  }

  private retransmit(interval: number, cap: number): void {
    this.after(interval, () => {
      if (this.state !== 'calling' && !(this.state === 'proceeding' && !this.isInvite)) return;
      this.layer.sender.send(this.request, this.to);
      const next = this.state === 'proceeding' ? this.layer.timing.t2 : Math.min(interval * 2, cap);
      this.retransmit(next, cap);
    });
  }

  private after(ms: number, fn: () => void): void {
    this.timers.push(this.layer.clock.schedule(ms, fn));
  }

  private stopTimers(): void {
    for (const c of this.timers) c();
    this.timers = [];
  }

  end(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.stopTimers();
    this.layer.forgetClient(this);
  }
}
