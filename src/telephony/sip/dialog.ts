/**
 * Dialog state (RFC 3261 §12): the identifiers, sequence numbers, remote target and route set, and
 * the one place in-dialog requests are built, so every BYE, re-INVITE and NOTIFY gets them right.
 */
import { formatNameAddr, parseNameAddr } from './headers.js';
import { type Header, header, headerList, type SipRequest, type SipResponse } from './message.js';

export interface DialogInit {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** From/To as we write them (URI only; tags are added). */
  localUri: string;
  remoteUri: string;
  localSeq: number;
  remoteSeq: number;
  remoteTarget: string;
  routeSet: string[];
}

export class Dialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  localUri: string;
  remoteUri: string;
  localSeq: number;
  remoteSeq: number;
  remoteTarget: string;
  routeSet: string[];

  constructor(init: DialogInit) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /** UAS side (§12.1.1): route set from Record-Route in order, target from the request's Contact. */
  static asServer(req: SipRequest, localTag: string): Dialog {
    const from = parseNameAddr(header(req, 'from') ?? '');
    const to = parseNameAddr(header(req, 'to') ?? '');
    return new Dialog({
      callId: header(req, 'call-id') ?? '',
      localTag,
      remoteTag: from?.params.tag ?? '',
      localUri: to?.uri ?? req.uri,
      remoteUri: from?.uri ?? '',
      localSeq: Math.floor(Math.random() * 10_000) + 1,
      remoteSeq: cseqOf(req),
      remoteTarget: contactUri(req) ?? from?.uri ?? '',
      routeSet: headerList(req, 'record-route'),
    });
  }

  /** UAC side (§12.1.2): route set from Record-Route reversed, target from the response's Contact. */
  static asClient(req: SipRequest, res: SipResponse): Dialog {
    const from = parseNameAddr(header(req, 'from') ?? '');
    const to = parseNameAddr(header(res, 'to') ?? '');
    return new Dialog({
      callId: header(req, 'call-id') ?? '',
      localTag: from?.params.tag ?? '',
      remoteTag: to?.params.tag ?? '',
      localUri: from?.uri ?? '',
      remoteUri: to?.uri ?? req.uri,
      localSeq: cseqOf(req),
      remoteSeq: 0,
      remoteTarget: contactUri(res) ?? req.uri,
      routeSet: headerList(res, 'record-route').reverse(),
    });
  }

  /** A new in-dialog request (§12.2.1.1); ACK reuses the INVITE's sequence number. */
  request(method: string, via: string, extra: Header[] = [], body?: Buffer, seq?: number): SipRequest {
    const cseq = seq ?? (method === 'ACK' ? this.localSeq : ++this.localSeq);
    const headers: Header[] = [
      { name: 'via', value: via },
      { name: 'max-forwards', value: '70' },
      {
        name: 'from',
        value: formatNameAddr({ display: undefined, uri: this.localUri, params: { tag: this.localTag } }),
      },
      {
        name: 'to',
        value: formatNameAddr({ display: undefined, uri: this.remoteUri, params: { tag: this.remoteTag } }),
      },
      { name: 'call-id', value: this.callId },
      { name: 'cseq', value: `${cseq} ${method}` },
      ...this.routeSet.map((value) => ({ name: 'route', value })),
      ...extra,
    ];
    return { kind: 'request', method, uri: this.remoteTarget, headers, body: body ?? Buffer.alloc(0) };
  }

  /** Where in-dialog requests go: the first loose route, else the remote target (§12.2.1.1). */
  nextHop(): string {
    const first = this.routeSet[0];
    return first ? (parseNameAddr(first)?.uri ?? this.remoteTarget) : this.remoteTarget;
  }

  /** A request from the peer must carry a higher CSeq than the last (§12.2.2); false means 500. */
  acceptRemoteSeq(req: SipRequest): boolean {
    const seq = cseqOf(req);
    if (req.method === 'ACK' || req.method === 'CANCEL') return true;
    if (this.remoteSeq && seq <= this.remoteSeq) return false;
    this.remoteSeq = seq;
    return true;
  }
}

export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}

export function cseqOf(msg: SipRequest | SipResponse): number {
  return Number.parseInt(header(msg, 'cseq') ?? '0', 10) || 0;
}

export function contactUri(msg: SipRequest | SipResponse): string | undefined {
  const first = headerList(msg, 'contact')[0];
  return first ? parseNameAddr(first)?.uri : undefined;
}

export function tagOf(value: string | undefined): string | undefined {
  return value ? (parseNameAddr(value)?.params.tag ?? undefined) : undefined;
}
