/**
 * The RTP fixed header (RFC 3550 §5.1), read and written in place. Hand-written on purpose: the relay
 * touches every packet, and this is twelve bytes at fixed offsets with no allocation on the hot path.
 */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

export function parseRtp(buf: Buffer): RtpPacket | undefined {
  if (buf.length < 12 || buf[0] >> 6 !== 2) return undefined;
  const cc = buf[0] & 0x0f;
  let offset = 12 + cc * 4;
  if (buf[0] & 0x10) {
    if (buf.length < offset + 4) return undefined;
    offset += 4 + buf.readUInt16BE(offset + 2) * 4;
  }
  let end = buf.length;
  if (buf[0] & 0x20) end -= buf[buf.length - 1];
  if (offset > end) return undefined;
  const pt = buf[1] & 0x7f;
  // 72–76 are RTCP packet types arriving on a muxed port (RFC 5761 §4), not media.
  if (pt >= 72 && pt <= 76) return undefined;
  return {
    payloadType: pt,
    marker: (buf[1] & 0x80) !== 0,
    sequence: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(offset, end),
  };
}

export function writeRtp(p: Omit<RtpPacket, 'payload'>, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(12 + payload.length);
  out[0] = 0x80;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  out.writeUInt16BE(p.sequence & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  payload.copy(out, 12);
  return out;
}

/** RFC 4733 §2.3: a telephone-event payload. */
export interface DtmfEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

export function parseDtmf(payload: Buffer): DtmfEvent | undefined {
  if (payload.length < 4) return undefined;
  return {
    event: payload[0],
    end: (payload[1] & 0x80) !== 0,
    volume: payload[1] & 0x3f,
    duration: payload.readUInt16BE(2),
  };
}

export function writeDtmf(e: DtmfEvent): Buffer {
  const b = Buffer.allocUnsafe(4);
  b[0] = e.event;
  b[1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  b.writeUInt16BE(e.duration & 0xffff, 2);
  return b;
}

const DIGITS = '0123456789*#ABCD';

export function eventDigit(event: number): string | undefined {
  return DIGITS[event];
}

export function digitEvent(digit: string): number | undefined {
  const i = DIGITS.indexOf(digit.toUpperCase());
  return i < 0 ? undefined : i;
}
