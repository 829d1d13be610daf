/**
 * Media in Node: an RTP endpoint per leg, relaying between bridged legs as packets arrive (transcoding
 * μ-law ↔ A-law by table when the legs disagree), and one shared 20 ms tick that feeds every prompt,
 * hold music, DTMF generation and conference mix — not a timer per leg.
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { decode, encode, transcode } from './g711.js';
import { RtpLeg } from './leg.js';
import type { MediaEngine, MediaEvents, RemoteEndpoint } from './media.js';
import { digitEvent } from './rtp.js';

const FRAME = 160; // 20 ms at 8 kHz
const TICK_MS = 20;

interface Recording {
  paused: boolean;
  /**
   * Decoded audio each member sent since the last tick, in arrival order; and, under `played(id)`,
   * what we played to that member (prompts, hold music), so the file holds what the caller heard.
   */
  queues: Map<string, Int16Array[]>;
  frames: Int16Array[];
}

/** The recording queue of what the media engine plays to a leg (beside the one of what it sends). */
const played = (id: string) => `played:${id}`;

/** A recording holds at most this much (about four hours); longer calls keep their first four hours. */
const MAX_RECORDING_FRAMES = 4 * 3600 * 50;

export interface NodeMediaOptions {
  host: string;
  ports: [number, number];
  events: MediaEvents;
}

export class NodeMediaEngine implements MediaEngine {
  private readonly legs = new Map<string, RtpLeg>();
  private readonly recordings = new Map<string, Recording>();
  private readonly recordingOf = new Map<string, Recording>();
  private readonly busy = new Set<number>();
  private cursor: number;
  private timer: NodeJS.Timeout | undefined;
  private nextTickAt = 0;
  /** Packets relayed between bridged legs since start (tests and the benchmark read it). */
  relayed = 0;
  /** Milliseconds between consecutive relayed packets sent to the same leg (the benchmark's p99). */
  readonly intervals: number[] = [];
  /** Measured tick lateness, for the benchmark. */
  readonly tickLateness: number[] = [];

  constructor(private readonly opts: NodeMediaOptions) {
    this.cursor = opts.ports[0] + (opts.ports[0] % 2);
  }

  get legCount(): number {
    return this.legs.size;
  }

  async open(id: string): Promise<{ port: number }> {
    const existing = this.legs.get(id);
    if (existing) return { port: existing.port };
    const [lo, hi] = this.opts.ports;
    const span = Math.floor((hi - lo) / 2) + 1;
    for (let i = 0; i < span; i++) {
      const port = this.cursor;
      this.cursor = this.cursor + 2 > hi ? lo + (lo % 2) : this.cursor + 2;
      if (this.busy.has(port)) continue;
      const socket = await bind(this.opts.host, port);
      if (!socket) continue;
      this.busy.add(port);
      const leg = new RtpLeg(
        id,
        socket,
        port,
        (l, payload) => this.relay(l, payload),
        (l, digit) => this.opts.events.dtmf(l.id, digit),
      );
      this.legs.set(id, leg);
      return { port };
    }
    throw new Error('no free RTP port');
  }

  portOf(id: string): number | undefined {
    return this.legs.get(id)?.port;
  }

  connect(id: string, remote: RemoteEndpoint): void {
    this.legs.get(id)?.connect(remote);
  }

  private relay(from: RtpLeg, payload: Buffer): void {
    if (from.muted) return;
    const rec = this.recordingOf.get(from.id);
    if (rec && !rec.paused) {
      const q = rec.queues.get(from.id);
      // A leg sending faster than the tick cannot grow the queue without bound (drift, bursts).
      if (q && q.length < 10) q.push(decode(from.codec, payload));
    }
    if (from.room) {
      from.inbox = decode(from.codec, payload);
      return;
    }
    const to = from.peer;
    if (!to || to.player || to.digits.length) return;
    const now = performance.now();
    if (to.lastRelayAt !== undefined && this.intervals.length < 1_000_000)
      this.intervals.push(now - to.lastRelayAt);
    to.lastRelayAt = now;
    to.sendAudio(transcode(from.codec, to.codec, payload));
    this.relayed++;
  }

  bridge(a: string, b: string): void {
    const la = this.legs.get(a);
    const lb = this.legs.get(b);
    if (!la || !lb) return;
    for (const l of [la, lb]) this.detach(l);
    la.peer = lb;
    lb.peer = la;
  }

  unbridge(id: string): void {
    const leg = this.legs.get(id);
    if (leg) this.detach(leg);
  }

  private detach(leg: RtpLeg): void {
    if (leg.peer) leg.peer.peer = undefined;
    leg.peer = undefined;
    leg.room?.delete(leg);
    leg.room = undefined;
    leg.inbox = undefined;
  }

  conference(ids: string[]): void {
    const room = new Set<RtpLeg>();
    for (const id of ids) {
      const leg = this.legs.get(id);
      if (!leg) continue;
      this.detach(leg);
      this.stop(id);
      leg.room = room;
      room.add(leg);
    }
    this.ensureTick();
  }

  play(id: string, samples: Int16Array, opts: { loop?: boolean } = {}): Promise<boolean> {
    const leg = this.legs.get(id);
    if (!leg) return Promise.resolve(false);
    this.stop(id);
    return new Promise((resolve) => {
      leg.player = { samples, offset: 0, loop: opts.loop ?? false, done: resolve };
      this.ensureTick();
    });
  }

  stop(id: string): void {
    const leg = this.legs.get(id);
    const p = leg?.player;
    if (!leg || !p) return;
    leg.player = undefined;
    p.done(false);
  }

  mute(id: string, on: boolean): void {
    const leg = this.legs.get(id);
    if (leg) leg.muted = on;
  }

  sendDigits(id: string, digits: string): Promise<void> {
    const leg = this.legs.get(id);
    const events = [...digits].map(digitEvent).filter((e): e is number => e !== undefined);
    if (!leg || events.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      leg.queueDigits(events, resolve);
      this.ensureTick();
    });
  }

  record(key: string, ids: string[]): void {
    let rec = this.recordings.get(key);
    if (!rec) {
      rec = { paused: false, queues: new Map(), frames: [] };
      this.recordings.set(key, rec);
    }
    for (const id of ids) {
      if (!this.legs.has(id)) continue;
      this.recordingOf.set(id, rec);
      if (!rec.queues.has(id)) rec.queues.set(id, []);
    }
    this.ensureTick();
  }

  pauseRecording(key: string, paused: boolean): void {
    const rec = this.recordings.get(key);
    if (!rec) return;
    rec.paused = paused;
    for (const q of rec.queues.values()) q.length = 0;
  }

  finishRecording(key: string): Buffer | undefined {
    const rec = this.recordings.get(key);
    if (!rec) return undefined;
    this.recordings.delete(key);
    for (const id of rec.queues.keys()) if (this.recordingOf.get(id) === rec) this.recordingOf.delete(id);
    return wav(rec.frames);
  }

  close(id: string): void {
    const rec = this.recordingOf.get(id);
    // The recording goes on with the other legs; this one adds silence from now on.
    rec?.queues.delete(id);
    rec?.queues.delete(played(id));
    this.recordingOf.delete(id);
    const leg = this.legs.get(id);
    if (!leg) return;
    this.detach(leg);
    this.legs.delete(id);
    this.busy.delete(leg.port);
    leg.close();
  }

  async shutdown(): Promise<void> {
    for (const id of [...this.legs.keys()]) this.close(id);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private ensureTick(): void {
    if (this.timer) return;
    this.nextTickAt = performance.now() + TICK_MS;
    this.timer = setTimeout(() => this.onTimer(), TICK_MS);
  }

  /** Runs the ticks that fell due (catching up after a stall, at most five) and re-arms. */
  private onTimer(): void {
    const now = performance.now();
    this.tickLateness.push(now - this.nextTickAt);
    if (this.tickLateness.length > 100_000) this.tickLateness.splice(0, 50_000);
    let n = 0;
    let active = true;
    while (this.nextTickAt <= now && n++ < 5) {
      active = this.tick();
      this.nextTickAt += TICK_MS;
    }
    if (this.nextTickAt <= now) this.nextTickAt = now + TICK_MS;
    this.timer = active
      ? setTimeout(() => this.onTimer(), Math.max(0, this.nextTickAt - performance.now()))
      : undefined;
  }

  /** One 20 ms step for every leg that produces audio of its own; false when none does. */
  tick(): boolean {
    let active = false;
    const rooms = new Set<Set<RtpLeg>>();
    for (const leg of this.legs.values()) {
      if (leg.room) rooms.add(leg.room);
      if (leg.digits.length) {
        active = true;
        if (leg.tickDigits()) continue;
      }
      if (leg.player) {
        active = true;
        this.feed(leg);
      }
    }
    for (const room of rooms) {
      active = true;
      mix(room);
    }
    for (const rec of this.recordings.values()) {
      active = true;
      if (!rec.paused && rec.frames.length < MAX_RECORDING_FRAMES) rec.frames.push(mixQueues(rec));
    }
    return active;
  }

  /** A played frame goes into the leg's recording as it goes out (one per tick: no drift to bound). */
  private recordPlayed(leg: RtpLeg, frame: Int16Array): void {
    const rec = this.recordingOf.get(leg.id);
    if (!rec || rec.paused) return;
    const key = played(leg.id);
    const q = rec.queues.get(key) ?? [];
    if (q.length === 0) rec.queues.set(key, q);
    if (q.length < 10) q.push(frame);
  }

  private feed(leg: RtpLeg): void {
    const p = leg.player!;
    let frame = p.samples.subarray(p.offset, p.offset + FRAME);
    if (frame.length < FRAME) {
      const padded = new Int16Array(FRAME);
      padded.set(frame);
      frame = padded;
    }
    leg.sendAudio(encode(leg.codec, frame));
    this.recordPlayed(leg, frame);
    p.offset += FRAME;
    if (p.offset < p.samples.length) return;
    if (p.loop) p.offset = 0;
    else {
      leg.player = undefined;
      p.done(true);
    }
  }
}

/** Each member hears the sum of the others' last frames (clipped), unless it plays something itself. */
function mix(room: Set<RtpLeg>): void {
  const members = [...room];
  for (const leg of members) {
    if (leg.player || leg.digits.length) continue;
    const out = new Int32Array(FRAME);
    for (const other of members) {
      if (other === leg || !other.inbox) continue;
      for (let i = 0; i < FRAME && i < other.inbox.length; i++) out[i] += other.inbox[i];
    }
    const pcm = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++) pcm[i] = Math.max(-32768, Math.min(32767, out[i]));
    leg.sendAudio(encode(leg.codec, pcm));
  }
  for (const leg of members) leg.inbox = undefined;
}

/** One 20 ms frame of a recording: the sum of each member's oldest queued frame (silence if none). */
function mixQueues(rec: Recording): Int16Array {
  const out = new Int32Array(FRAME);
  for (const q of rec.queues.values()) {
    const f = q.shift();
    if (!f) continue;
    for (let i = 0; i < FRAME && i < f.length; i++) out[i] += f[i];
  }
  const pcm = new Int16Array(FRAME);
  for (let i = 0; i < FRAME; i++) pcm[i] = Math.max(-32768, Math.min(32767, out[i]));
  return pcm;
}

/** A canonical 44-byte-header WAV: PCM, 8 kHz, 16-bit, mono. */
export function wav(frames: Int16Array[]): Buffer {
  const samples = frames.reduce((n, f) => n + f.length, 0);
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(8000, 24);
  buf.writeUInt32LE(16000, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(samples * 2, 40);
  let o = 44;
  for (const f of frames) for (let i = 0; i < f.length; i++, o += 2) buf.writeInt16LE(f[i], o);
  return buf;
}

function bind(host: string, port: number): Promise<dgram.Socket | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, host, () => {
      s.removeAllListeners('error');
      s.on('error', () => {});
      resolve(s);
    });
  });
}
