/**
 * What the SIP driver asks of a media engine. The Node engine (`node-engine.ts`) implements it in
 * process; an rtpengine or FreeSWITCH adapter could implement the same port later.
 */
import type { Law } from './g711.js';

export interface RemoteEndpoint {
  address: string;
  port: number;
  codec: Law;
  payloadType: number;
  /** The peer's telephone-event payload type (RFC 4733), per leg: a caller's 96 is not a target's 101. */
  dtmfPayloadType: number | undefined;
}

export interface MediaEvents {
  dtmf(leg: string, digit: string): void;
}

export interface MediaEngine {
  /** Reserves an RTP port for a leg (its SDP advertises it). */
  open(leg: string): Promise<{ port: number }>;
  /** Where the leg's peer expects media, from its SDP (latching may correct the address later). */
  connect(leg: string, remote: RemoteEndpoint): void;
  /** The leg's local RTP port (what our SDP advertises). */
  portOf(leg: string): number | undefined;
  bridge(a: string, b: string): void;
  unbridge(leg: string): void;
  conference(legs: string[]): void;
  /** Plays 8 kHz 16-bit samples; resolves true when it ended by itself, false when stopped or replaced. */
  play(leg: string, samples: Int16Array, opts?: { loop?: boolean }): Promise<boolean>;
  stop(leg: string): void;
  mute(leg: string, on: boolean): void;
  /** Sends RFC 4733 events on the leg's negotiated payload type; resolves once they are sent. */
  sendDigits(leg: string, digits: string): Promise<void>;
  /**
   * Adds legs to the recording `key` (started by the first call): what each leg sends us, mixed, one
   * frame per 20 ms tick while not paused. Prompts and music we play are not in it.
   */
  record(key: string, legs: string[]): void;
  pauseRecording(key: string, paused: boolean): void;
  /** Ends the recording and returns it as a WAV file (8 kHz 16-bit mono); undefined if none was started. */
  finishRecording(key: string): Buffer | undefined;
  close(leg: string): void;
  readonly legCount: number;
}
