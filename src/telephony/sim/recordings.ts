import { wav } from '../media/node-engine.js';

/** Where the Core API serves a call's recording: the same route as the SIP driver's recordings. */
export const simRecordingUrl = (callUuid: string) => `/calls/${callUuid}/recording.wav`;

/** 8 kHz samples, as the SIP driver's recordings. */
const RATE = 8000;
/** A simulated recording is a tone as long as what was recorded, up to this (a larger one is cut). */
const MAX_SECONDS = 600;
/** Finished recordings kept (their segments only: a few numbers each); the oldest go first. */
const KEEP = 1000;

interface Recording {
  /** Milliseconds recorded in closed segments. */
  recordedMs: number;
  /** When the open segment started; null while paused. */
  since: number | null;
  done: boolean;
}

/**
 * Recordings on the simulated network, which carries no audio: each call's segments (start, pause,
 * resume, stop) are timed on the network's clock, and its WAV is made on request — a quiet 440 Hz tone
 * as long as what was recorded — so the recording URL, the player and its duration behave as on SIP.
 */
export class SimRecordings {
  private readonly byCall = new Map<string, Recording>();

  constructor(private readonly now: () => number) {}

  /** Applies a call-control action; true when it ended the recording (`stop`). */
  act(callUuid: string, action: 'start' | 'pause' | 'resume' | 'stop'): boolean {
    const rec = this.byCall.get(callUuid);
    if (action === 'start' && !rec) {
      this.byCall.set(callUuid, { recordedMs: 0, since: this.now(), done: false });
      return false;
    }
    if (!rec || rec.done) return false;
    if (action === 'stop') return this.finish(callUuid);
    if (action === 'pause') this.close(rec);
    else if (rec.since === null) rec.since = this.now();
    return false;
  }

  /** Ends a call's recording (the call ended); true when there was one still going. */
  finish(callUuid: string): boolean {
    const rec = this.byCall.get(callUuid);
    if (!rec || rec.done) return false;
    this.close(rec);
    rec.done = true;
    this.forgetOldest();
    return true;
  }

  /** The WAV of a finished recording. */
  wav(callUuid: string): Buffer | undefined {
    const rec = this.byCall.get(callUuid);
    if (!rec?.done) return undefined;
    const samples = Math.round((Math.min(rec.recordedMs, MAX_SECONDS * 1000) / 1000) * RATE);
    const pcm = new Int16Array(samples);
    for (let i = 0; i < samples; i++) pcm[i] = Math.round(2000 * Math.sin((2 * Math.PI * 440 * i) / RATE));
    return wav([pcm]);
  }

  private close(rec: Recording): void {
    if (rec.since === null) return;
    rec.recordedMs += this.now() - rec.since;
    rec.since = null;
  }

  private forgetOldest(): void {
    if (this.byCall.size <= KEEP) return;
    for (const [uuid, rec] of this.byCall) {
      if (!rec.done) continue;
      this.byCall.delete(uuid);
      if (this.byCall.size <= KEEP) return;
    }
  }
}
