/**
 * The telephony driver contract (DESIGN.md §3). The engine talks only to this; the sim and the SIP
 * driver implement it the same way. Read this whole comment before writing a driver.
 *
 * COMMANDS (engine → driver)
 * - Every command's first argument is a `CommandId` the engine made up (unique per process). Events
 *   that complete or answer a command echo it in their `cmd` field (see EVENTS).
 * - A command's promise resolves once the driver has carried the command out or, for commands whose
 *   outcome comes later (originate, play, record), once it has been accepted and sent on its way. It
 *   rejects with a `DriverError` when the command could not be carried out (the leg is gone, the peer
 *   refused, the network failed). Throwing anything else is treated the same way.
 * - The engine puts its own timeout on every command (`COMMAND_TIMEOUT_MS`); a driver need not time
 *   out itself, but it must not hold a promise for ever: a command the engine gave up on may still
 *   complete, and its late effects (events) are recognised by their `cmd` and dropped.
 * - Commands are idempotent per leg: hanging up an ended leg, unholding a leg that is not held, or
 *   stopping a prompt that already finished resolves without doing anything.
 * - The engine's own `hangup`/`reject` produce no `hangup` event.
 *
 * EVENTS (driver → engine, through `DriverSink.event`)
 * - Outcome of an originate: `ringing` (maybe never), then exactly one of `answered`, `busy`,
 *   `noAnswer`, `failed`; each echoes the originate's `cmd`. After `answered` the leg ends with a
 *   `hangup` (no `cmd`: the network ended it) unless the engine hangs it up first.
 * - `transferRequested`: the party on an answered leg asked to hand the call to `to` (a phone's blind
 *   transfer, SIP REFER). The engine transfers the caller there as Call Control's transfer would and
 *   hangs that leg up; events of a leg that is not the call's handler are ignored.
 * - `playDone` echoes the `play` it finishes (a prompt that was stopped or replaced sends none, or
 *   sends one the engine drops). `recordingReady` echoes the `record` stop. `dtmf` needs no `cmd`.
 * - `hangup` on the incoming leg (`by: 'caller'`) always wins: it may arrive at any moment — before
 *   `incoming` has resolved, while a command is in flight, out of order with other events — and is
 *   never lost by the engine.
 * - Events for legs the engine does not know (any more) are ignored, as are duplicates and late
 *   events of commands the engine already gave up on. Drivers should keep per-leg order but the
 *   engine tolerates reordering.
 *
 * INCOMING CALLS
 * - `DriverSink.incoming` is called once per inbound leg and resolves with the call's uuid once the
 *   call is recorded (it rejects when the number is unknown; the engine has then rejected the leg).
 *   The driver may already send events for that leg before it resolves (a caller hanging up during
 *   set-up): the engine buffers them.
 */
export type LegId = string;
/** Made up by the engine for each command; echoed by the events that complete it. */
export type CommandId = string;

export type { Prompt } from '../domain/prompt.js';

import type { Prompt } from '../domain/prompt.js';

export type HangupCause = 'normal' | 'busy' | 'no-answer' | 'rejected' | 'failed' | 'cancelled';

/** Longest a command may take before the engine treats it as failed (`DriverError` 'timeout'). */
export const COMMAND_TIMEOUT_MS = 5_000;

export type DriverErrorReason = 'timeout' | 'unknown-leg' | 'refused' | 'network';

/** A command that could not be carried out. `reason` is what the engine writes on the leg. */
export class DriverError extends Error {
  constructor(
    readonly command: string,
    readonly reason: DriverErrorReason,
    detail?: string,
  ) {
    super(`${command} ${reason}${detail ? `: ${detail}` : ''}`);
  }
}

export interface OriginateRequest {
  leg: LegId;
  /** The call this leg belongs to: lets a driver (and the sim's observers) group legs. */
  callUuid: string;
  to: string;
  from: string;
  /** How long the far end may ring; the driver answers `noAnswer` after it. */
  timeoutS: number;
}

export interface TelephonyDriver {
  originate(cmd: CommandId, req: OriginateRequest): Promise<void>;
  answer(cmd: CommandId, leg: LegId): Promise<void>;
  reject(cmd: CommandId, leg: LegId): Promise<void>;
  hangup(cmd: CommandId, leg: LegId, cause?: HangupCause): Promise<void>;
  /** Joins two legs (each leaves any bridge or conference it was in). */
  bridge(cmd: CommandId, a: LegId, b: LegId): Promise<void>;
  unbridge(cmd: CommandId, leg: LegId): Promise<void>;
  conference(cmd: CommandId, legs: LegId[]): Promise<void>;
  /** Plays a prompt; `playDone` echoing `cmd` follows when it ends by itself. */
  play(cmd: CommandId, leg: LegId, prompt: Prompt, opts?: { loop?: boolean }): Promise<void>;
  stopPlay(cmd: CommandId, leg: LegId): Promise<void>;
  /** Starts listening for DTMF on a leg (digits arrive as `dtmf` events). */
  collect(cmd: CommandId, leg: LegId, opts: { max: number; timeoutS: number }): Promise<void>;
  hold(cmd: CommandId, leg: LegId, music: string): Promise<void>;
  unhold(cmd: CommandId, leg: LegId): Promise<void>;
  mute(cmd: CommandId, leg: LegId, on: boolean): Promise<void>;
  record(cmd: CommandId, callUuid: string, action: 'start' | 'pause' | 'resume' | 'stop'): Promise<void>;
  sendDigits(cmd: CommandId, leg: LegId, digits: string): Promise<void>;
}

export type DriverEvent =
  | { type: 'ringing'; leg: LegId; cmd?: CommandId }
  | { type: 'answered'; leg: LegId; cmd?: CommandId; voicemail?: boolean }
  | { type: 'busy'; leg: LegId; cmd?: CommandId }
  | { type: 'noAnswer'; leg: LegId; cmd?: CommandId }
  | { type: 'failed'; leg: LegId; cmd?: CommandId; reason: string }
  | { type: 'hangup'; leg: LegId; by: 'caller' | 'target' | 'system' }
  | { type: 'dtmf'; leg: LegId; digit: string; cmd?: CommandId }
  | { type: 'transferRequested'; leg: LegId; to: string }
  | { type: 'playDone'; leg: LegId; cmd?: CommandId }
  | { type: 'recordingReady'; callUuid: string; url: string; cmd?: CommandId };

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
