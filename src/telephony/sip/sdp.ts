/**
 * SDP offers and answers for G.711 with RFC 4733 events (RFC 3264), through `sdp-transform`.
 * What the media layer needs from a peer's description is reduced to `RemoteMedia`.
 */
import sdpTransform from 'sdp-transform';

export type Codec = 'PCMU' | 'PCMA';
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface RemoteMedia {
  address: string;
  port: number;
  codec: Codec;
  payloadType: number;
  /** telephone-event's payload type in this description, if it offered one. */
  dtmfPayloadType: number | undefined;
  direction: Direction;
}

const STATIC: Record<number, Codec> = { 0: 'PCMU', 8: 'PCMA' };
const PT: Record<Codec, number> = { PCMU: 0, PCMA: 8 };

export function parseSdp(body: string): RemoteMedia | undefined {
  let s: sdpTransform.SessionDescription;
  try {
    s = sdpTransform.parse(body);
  } catch {
    return undefined;
  }
  const audio = s.media?.find((m) => m.type === 'audio' && m.port > 0);
  if (!audio) return undefined;
  const address = audio.connection?.ip ?? s.connection?.ip;
  if (!address) return undefined;
  const rtp = audio.rtp ?? [];
  const pts = String(audio.payloads ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  const nameOf = (pt: number): string | undefined =>
    rtp.find((r) => r.payload === pt)?.codec.toUpperCase() ?? STATIC[pt];
  const first = pts.find((pt) => nameOf(pt) === 'PCMU' || nameOf(pt) === 'PCMA');
  if (first === undefined) return undefined;
  const dtmf = rtp.find((r) => r.codec.toLowerCase() === 'telephone-event' && r.rate === 8000)?.payload;
  const direction = (audio.direction ?? s.direction ?? 'sendrecv') as Direction;
  const heldByAddress = address === '0.0.0.0';
  return {
    address,
    port: audio.port,
    codec: nameOf(first) as Codec,
    payloadType: first,
    dtmfPayloadType: dtmf,
    direction: heldByAddress ? 'inactive' : direction,
  };
}

export interface LocalMedia {
  address: string;
  port: number;
  /** Codecs in preference order; an answer lists only the chosen one. */
  codecs: Codec[];
  dtmfPayloadType: number;
  direction: Direction;
  sessionId: number;
  version: number;
}

export function writeSdp(m: LocalMedia): string {
  const pts = [...m.codecs.map((c) => PT[c]), m.dtmfPayloadType];
  const desc: sdpTransform.SessionDescription = {
    version: 0,
    origin: {
      username: 'switchboard',
      sessionId: m.sessionId,
      sessionVersion: m.version,
      netType: 'IN',
      ipVer: 4,
      address: m.address,
    },
    name: 'switchboard',
    connection: { version: 4, ip: m.address },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port: m.port,
        protocol: 'RTP/AVP',
        payloads: pts.join(' '),
        rtp: [
          ...m.codecs.map((c) => ({ payload: PT[c], codec: c, rate: 8000 })),
          { payload: m.dtmfPayloadType, codec: 'telephone-event', rate: 8000 },
        ],
        fmtp: [{ payload: m.dtmfPayloadType, config: '0-15' }],
        ptime: 20,
        direction: m.direction,
      },
    ],
  };
  return `${sdpTransform.write(desc)}`;
}

/** The direction we answer with when the peer asks for `offered` (RFC 3264 §6.1). */
export function answerDirection(offered: Direction): Direction {
  if (offered === 'sendonly') return 'recvonly';
  if (offered === 'recvonly') return 'sendonly';
  return offered;
}
