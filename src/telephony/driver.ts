/**
 * The telephony driver contract (DESIGN.md §3). The engine talks only to this; the sim and the SIP
 * driver implement it the same way. Commands are idempotent per leg; results come back as events.
 */
export type LegId = string;

export type Prompt =
  | { kind: 'tts'; text: string; voice: 'Male' | 'Female' }
  | { kind: 'audio'; name: string; durationS: number };

export type HangupCause = 'normal' | 'busy' | 'no-answer' | 'rejected' | 'failed' | 'cancelled';

export interface OriginateRequest {
  leg: LegId;
  /** The call this leg belongs to: lets a driver (and the sim's observers) group legs. */
  callUuid: string;
  to: string;
  from: string;
  timeoutS: number;
}

export interface TelephonyDriver {
  originate(req: OriginateRequest): Promise<void>;
  answer(leg: LegId): Promise<void>;
  reject(leg: LegId): Promise<void>;
  hangup(leg: LegId, cause?: HangupCause): Promise<void>;
  bridge(a: LegId, b: LegId): Promise<void>;
  unbridge(leg: LegId): Promise<void>;
  conference(legs: LegId[]): Promise<void>;
  play(leg: LegId, prompt: Prompt): Promise<void>;
  stopPlay(leg: LegId): Promise<void>;
  /** Starts listening for DTMF on a leg (digits arrive as `dtmf` events). */
  collect(leg: LegId, opts: { max: number; timeoutS: number }): Promise<void>;
  hold(leg: LegId, music: string): Promise<void>;
  unhold(leg: LegId): Promise<void>;
  mute(leg: LegId, on: boolean): Promise<void>;
  record(callUuid: string, action: 'start' | 'pause' | 'resume' | 'stop'): Promise<void>;
  sendDigits(leg: LegId, digits: string): Promise<void>;
}

export type DriverEvent =
  | { type: 'ringing'; leg: LegId }
  | { type: 'answered'; leg: LegId; voicemail?: boolean }
  | { type: 'busy'; leg: LegId }
  | { type: 'noAnswer'; leg: LegId }
  | { type: 'failed'; leg: LegId; reason: string }
  | { type: 'hangup'; leg: LegId; by: 'caller' | 'target' | 'system' }
  | { type: 'dtmf'; leg: LegId; digit: string }
  | { type: 'playDone'; leg: LegId }
  | { type: 'recordingReady'; callUuid: string; url: string };

export interface IncomingCall {
  leg: LegId;
  from: string;
  to: string;
}

/** What a driver reports to: the engine. `incoming` resolves with the call's uuid once it is recorded. */
export interface DriverSink {
  incoming(call: IncomingCall): Promise<string>;
  event(ev: DriverEvent): void;
}
