/**
 * One RTP endpoint per leg: a UDP socket on an even port, the codec and payload types agreed in SDP,
 * and our outgoing stream's SSRC, sequence number and timestamp. It latches to the address media
 * actually comes from (symmetric RTP, RFC 4961), which is what makes callers behind NAT audible.
 */
import { randomInt } from 'node:crypto';
import type dgram from 'node:dgram';
import type { Law } from './g711.js';
import type { RemoteEndpoint } from './media.js';
import { type DtmfEvent, eventDigit, parseDtmf, parseRtp, writeDtmf, writeRtp } from './rtp.js';

export interface Player {
  samples: Int16Array;
  offset: number;
  loop: boolean;
  done: (ended: boolean) => void;
}

export interface DigitJob {
  /** One entry per packet; `null` is a 20 ms pause between digits. */
  packets: ({ event: DtmfEvent; marker: boolean; timestamp: number; last: boolean } | null)[];
  done: () => void;
}

export class RtpLeg {
  remote: { address: string; port: number } | undefined;
  codec: Law = 'PCMU';
  payloadType = 0;
  dtmfPayloadType: number | undefined;
  latched = false;
  muted = false;
  peer: RtpLeg | undefined;
  room: Set<RtpLeg> | undefined;
  player: Player | undefined;
  digits: DigitJob[] = [];
  /** The last 20 ms this leg sent us, decoded, for conference mixing. */
  inbox: Int16Array | undefined;
  private readonly ssrc = randomInt(2 ** 31);
  private seq = randomInt(2 ** 15);
  private ts = randomInt(2 ** 30);
  private lastEventTs: number | undefined;
  private newTalkspurt = true;
  lastRelayAt: number | undefined;
  packetsIn = 0;
  packetsOut = 0;

  constructor(
    readonly id: string,
    readonly socket: dgram.Socket,
    readonly port: number,
    private readonly onPacket: (leg: RtpLeg, payload: Buffer, payloadType: number) => void,
    private readonly onDigit: (leg: RtpLeg, digit: string) => void,
  ) {
    socket.on('message', (buf, rinfo) => this.receive(buf, rinfo.address, rinfo.port));
  }

  connect(r: RemoteEndpoint): void {
    if (!this.latched) this.remote = { address: r.address, port: r.port };
    this.codec = r.codec;
    this.payloadType = r.payloadType;
    this.dtmfPayloadType = r.dtmfPayloadType;
  }

  private receive(buf: Buffer, address: string, port: number): void {
    const p = parseRtp(buf);
    if (!p) return;
    if (p.payloadType !== this.payloadType && p.payloadType !== this.dtmfPayloadType) return; // unknown PT
    if (!this.latched || this.remote?.address !== address || this.remote.port !== port) {
      this.remote = { address, port };
      this.latched = true;
    }
    this.packetsIn++;
    if (p.payloadType === this.dtmfPayloadType) {
      const e = parseDtmf(p.payload);
      // One event spans many packets sharing a timestamp (RFC 4733 §2.5.1.3): report it once.
      if (e && p.timestamp !== this.lastEventTs) {
        this.lastEventTs = p.timestamp;
        const digit = eventDigit(e.event);
        if (digit) this.onDigit(this, digit);
      }
      return;
    }
    this.onPacket(this, p.payload, p.payloadType);
  }

  /** Sends one audio frame in our own stream (sequence and timestamp continue across sources). */
  sendAudio(payload: Buffer): void {
    if (!this.remote) return;
    const marker = this.newTalkspurt;
    this.newTalkspurt = false;
    this.seq = (this.seq + 1) & 0xffff;
    const pkt = writeRtp(
      { payloadType: this.payloadType, marker, sequence: this.seq, timestamp: this.ts, ssrc: this.ssrc },
      payload,
    );
    this.ts = (this.ts + payload.length) >>> 0;
    this.transmit(pkt);
    this.packetsOut++;
  }

  /** Queues RFC 4733 packets for a digit string: 100 ms per digit, three end packets, 60 ms gaps. */
  queueDigits(events: number[], done: () => void): void {
    if (this.dtmfPayloadType === undefined) {
      done();
      return;
    }
    const packets: DigitJob['packets'] = [];
    let ts = this.ts;
    for (const event of events) {
      for (let i = 1; i <= 5; i++)
        packets.push({
          event: { event, end: false, volume: 10, duration: i * 160 },
          marker: i === 1,
          timestamp: ts,
          last: true,
        });
      for (let i = 0; i < 3; i++)
        packets.push({
          event: { event, end: true, volume: 10, duration: 800 },
          marker: false,
          timestamp: ts,
          last: i === 2,
        });
      packets.push(null, null, null);
      ts = (ts + 800 + 480) >>> 0;
    }
    this.digits.push({ packets, done });
  }

  /** One tick's worth of DTMF: returns true while events are being sent (audio then pauses). */
  tickDigits(): boolean {
    const job = this.digits[0];
    if (!job || !this.remote || this.dtmfPayloadType === undefined) return false;
    for (;;) {
      if (job.packets.length === 0) {
        this.digits.shift();
        this.ts = (this.ts + 1280) >>> 0;
        this.newTalkspurt = true;
        job.done();
        return true;
      }
      const next = job.packets.shift();
      if (!next) return true;
      this.seq = (this.seq + 1) & 0xffff;
      const pkt = writeRtp(
        {
          payloadType: this.dtmfPayloadType,
          marker: next.marker,
          sequence: this.seq,
          timestamp: next.timestamp,
          ssrc: this.ssrc,
        },
        writeDtmf(next.event),
      );
      this.transmit(pkt);
      this.ts = Math.max(this.ts, next.timestamp);
      if (next.last) return true;
    }
  }

  private transmit(pkt: Buffer): void {
    if (this.closed || !this.remote) return;
    this.socket.send(pkt, this.remote.port, this.remote.address);
  }

  private closed = false;

  close(): void {
    this.closed = true;
    this.player?.done(false);
    this.player = undefined;
    for (const j of this.digits) j.done();
    this.digits = [];
    this.socket.close();
  }
}
