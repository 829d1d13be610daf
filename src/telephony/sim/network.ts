import { randomUUID } from 'node:crypto';
import type { Cancel, Clock } from '../../clock.js';
import { NotFound, RuleViolation } from '../../domain/errors.js';
import type {
  CommandId,
  DriverEvent,
  DriverSink,
  HangupCause,
  LegId,
  OriginateRequest,
  Prompt,
  TelephonyDriver,
} from '../driver.js';
import { type EndpointBehaviour, EndpointRegistry, promptSeconds } from './endpoints.js';
import { SimRecordings, simRecordingUrl } from './recordings.js';

const MAX_REMEMBERED_CALLS = 20_000;

export type SimLegState = 'ringing' | 'answered' | 'ended';

export interface SimLeg {
  id: LegId;
  simCallId: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  state: SimLegState;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endReason: string | null;
  voicemail: boolean;
  bridgedWith: LegId | null;
  conference: string | null;
  playing: Prompt | null;
  /** The command that started the prompt playing now: its `playDone` echoes it. */
  playCmd: CommandId | null;
  /** The originate that made this leg: its outcome events echo it. */
  originateCmd: CommandId | null;
  holdMusic: string | null;
  muted: boolean;
  /** DTMF the platform sent to this leg (send_digits). */
  digitsReceived: string;
  timers: Cancel[];
}

interface SimCall {
  id: string;
  callUuid: string | null;
  legIds: LegId[];
  /** The company whose endpoint behaviours this call sees (the dialed number's), if any. */
  scope?: number;
}

/** Which company a dialed number belongs to: scopes a call's endpoint behaviours. */
export type ScopeResolver = (to: string) => Promise<number | undefined>;

/**
 * The simulated telephone network: virtual callers and endpoints whose behaviour is set per number,
 * running on the injected clock. It is a TelephonyDriver for the engine and a control surface for the
 * sim API, the CLI and tests.
 */
export class SimNetwork implements TelephonyDriver {
  readonly endpoints = new EndpointRegistry();
  private readonly recordings: SimRecordings;
  private readonly legs = new Map<LegId, SimLeg>();
  private readonly calls = new Map<string, SimCall>();
  private readonly callByUuid = new Map<string, string>();
  private sink: DriverSink | undefined;
  private scopeOf: ScopeResolver = async () => undefined;

  constructor(
    private readonly clock: Clock,
    private readonly maxRememberedCalls = MAX_REMEMBERED_CALLS,
  ) {
    this.recordings = new SimRecordings(() => clock.now());
  }

  attach(sink: DriverSink): void {
    this.sink = sink;
  }

  scopeCallsWith(resolver: ScopeResolver): void {
    this.scopeOf = resolver;
  }

  // ---- control surface: what callers and endpoints do ----

  /** A virtual caller dials `to`. Resolves once the engine has recorded the call. */
  async placeCall(from: string, to: string): Promise<{ id: string; callUuid: string }> {
    if (!this.sink) throw new Error('sim network has no engine attached');
    const scope = await this.scopeOf(to);
    const leg = this.newLeg({ simCallId: '', direction: 'inbound', from, to });
    leg.simCallId = leg.id;
    const call: SimCall = { id: leg.id, callUuid: null, legIds: [leg.id], scope };
    this.calls.set(call.id, call);
    this.forgetOldCalls();
    const callUuid = await this.sink.incoming({ leg: leg.id, from, to });
    call.callUuid = callUuid;
    this.callByUuid.set(callUuid, call.id);
    return { id: call.id, callUuid };
  }

  pressDigits(legId: LegId, digits: string): void {
    const leg = this.liveLeg(legId);
    if (leg.state !== 'answered') throw new RuleViolation('the leg is not answered yet');
    for (const digit of digits)
      if (digit !== 'w' && digit !== 'W') this.emit({ type: 'dtmf', leg: leg.id, digit });
  }

  hangupFromNetwork(legId: LegId): void {
    const leg = this.liveLeg(legId);
    this.end(leg, leg.direction === 'inbound' ? 'caller hung up' : 'endpoint hung up');
    this.emit({ type: 'hangup', leg: leg.id, by: leg.direction === 'inbound' ? 'caller' : 'target' });
  }

  call(id: string): { call: SimCall; legs: SimLeg[] } {
    const call = this.calls.get(id);
    if (!call) throw new NotFound('Sim call');
    return { call, legs: call.legIds.map((l) => this.legs.get(l)!) };
  }

  leg(id: LegId): SimLeg {
    const leg = this.legs.get(id);
    if (!leg) throw new NotFound('Sim leg');
    return leg;
  }

  // ---- TelephonyDriver: what the engine asks of the network ----

  async originate(cmd: CommandId, req: OriginateRequest): Promise<void> {
    if (this.legs.get(req.leg)?.originateCmd) return; // idempotent per leg
    const simCallId = this.callByUuid.get(req.callUuid) ?? this.placedCall(req);
    const leg = this.newLeg({ id: req.leg, simCallId, direction: 'outbound', from: req.from, to: req.to });
    leg.originateCmd = cmd;
    this.calls.get(simCallId)?.legIds.push(leg.id);
    const b = this.endpoints.get(req.to, this.calls.get(simCallId)?.scope);
    if (b.unreachable) return this.later(leg, 0, () => this.fail(leg, 'unreachable'));
    if (b.busy) return this.later(leg, 1, () => this.finish(leg, 'busy', { type: 'busy', leg: leg.id, cmd }));
    if (b.reject)
      return this.later(leg, 1, () =>
        this.finish(leg, 'rejected', { type: 'failed', leg: leg.id, cmd, reason: 'rejected' }),
      );
    this.emit({ type: 'ringing', leg: leg.id, cmd });
    const timeout = () => this.finish(leg, 'no answer', { type: 'noAnswer', leg: leg.id, cmd });
    if (b.noAnswer || b.answerAfterS >= req.timeoutS) return this.later(leg, req.timeoutS, timeout);
    this.later(leg, b.answerAfterS, () => this.answerOutbound(leg, b));
  }

  async answer(_cmd: CommandId, legId: LegId): Promise<void> {
    const leg = this.legs.get(legId);
    if (leg?.state !== 'ringing') return;
    if (leg.direction === 'outbound') {
      // A phone the platform rings answers when told to (a softphone's auto-answer): its scripted ring
      // time is cut short, and the rest of its behaviour (digits, hanging up later) follows as usual.
      for (const cancel of leg.timers) cancel();
      leg.timers = [];
      return this.answerOutbound(leg, this.endpoints.get(leg.to, this.calls.get(leg.simCallId)?.scope));
    }
    leg.state = 'answered';
    leg.answeredAt = this.clock.now();
    this.afterAnswer(leg, this.endpoints.get(leg.from, this.calls.get(leg.simCallId)?.scope));
  }

  async reject(_cmd: CommandId, legId: LegId): Promise<void> {
    const leg = this.legs.get(legId);
    if (leg && leg.state !== 'ended') this.end(leg, 'rejected');
  }

  async hangup(_cmd: CommandId, legId: LegId, cause: HangupCause = 'normal'): Promise<void> {
    const leg = this.legs.get(legId);
    if (leg && leg.state !== 'ended') this.end(leg, cause === 'normal' ? 'hung up by platform' : cause);
  }

  async bridge(_cmd: CommandId, a: LegId, b: LegId): Promise<void> {
    const la = this.legs.get(a);
    const lb = this.legs.get(b);
    if (!la || !lb) return;
    for (const l of [la, lb])
      if (l.bridgedWith && l.bridgedWith !== a && l.bridgedWith !== b) this.detach(l.id);
    la.bridgedWith = b;
    lb.bridgedWith = a;
    la.conference = lb.conference = null;
    la.playing = lb.playing = null;
    la.holdMusic = lb.holdMusic = null;
  }

  async unbridge(_cmd: CommandId, legId: LegId): Promise<void> {
    this.detach(legId);
  }

  private detach(legId: LegId): void {
    const leg = this.legs.get(legId);
    if (!leg?.bridgedWith) return;
    const peer = this.legs.get(leg.bridgedWith);
    if (peer) peer.bridgedWith = null;
    leg.bridgedWith = null;
  }

  async conference(_cmd: CommandId, legIds: LegId[]): Promise<void> {
    const room = randomUUID();
    for (const id of legIds) {
      const leg = this.legs.get(id);
      if (!leg) continue;
      this.detach(id);
      leg.conference = room;
      leg.holdMusic = null;
      leg.playing = null;
    }
  }

  async play(cmd: CommandId, legId: LegId, prompt: Prompt): Promise<void> {
    const leg = this.legs.get(legId);
    if (!leg || leg.state === 'ended') return;
    leg.playing = prompt;
    leg.playCmd = cmd;
    this.later(leg, promptSeconds(prompt), () => {
      if (leg.playCmd !== cmd) return;
      leg.playing = null;
      leg.playCmd = null;
      this.emit({ type: 'playDone', leg: leg.id, cmd });
    });
  }

  async stopPlay(_cmd: CommandId, legId: LegId): Promise<void> {
    const leg = this.legs.get(legId);
    if (leg) {
      leg.playing = null;
      leg.playCmd = null;
    }
  }

  async collect(): Promise<void> {
    // The sim always hears digits; a real driver would arm DTMF detection here.
  }

  async hold(_cmd: CommandId, legId: LegId, music: string): Promise<void> {
    const leg = this.legs.get(legId);
    if (leg) leg.holdMusic = music;
  }

  async unhold(_cmd: CommandId, legId: LegId): Promise<void> {
    const leg = this.legs.get(legId);
    if (leg) leg.holdMusic = null;
  }

  async mute(_cmd: CommandId, legId: LegId, on: boolean): Promise<void> {
    const leg = this.legs.get(legId);
    if (leg) leg.muted = on;
  }

  async record(
    cmd: CommandId,
    callUuid: string,
    action: 'start' | 'pause' | 'resume' | 'stop',
  ): Promise<void> {
    if (this.recordings.act(callUuid, action)) this.recordingReady(callUuid, cmd);
  }

  /** The WAV of a call's finished recording (`GET /calls/:uuid/recording.wav` on the sim). */
  recordingWav(callUuid: string): Buffer | undefined {
    return this.recordings.wav(callUuid);
  }

  private recordingReady(callUuid: string, cmd?: CommandId): void {
    this.emit({ type: 'recordingReady', callUuid, url: simRecordingUrl(callUuid), cmd });
  }

  async sendDigits(_cmd: CommandId, legId: LegId, digits: string): Promise<void> {
    const leg = this.legs.get(legId);
    if (leg) leg.digitsReceived += digits.replace(/[wW]/g, '');
  }

  // ---- internals ----

  /**
   * A leg of a call nobody dialed in (the platform placed it): the sim keeps it as a call of its own,
   * with its company's endpoint behaviours, so it can be watched and driven like any other.
   */
  private placedCall(req: OriginateRequest): string {
    if (!this.calls.has(req.callUuid)) {
      this.calls.set(req.callUuid, {
        id: req.callUuid,
        callUuid: req.callUuid,
        legIds: [],
        scope: req.companyId,
      });
      this.callByUuid.set(req.callUuid, req.callUuid);
      this.forgetOldCalls();
    }
    return req.callUuid;
  }

  /** A long-running server keeps only the most recent finished calls to show. */
  private forgetOldCalls(): void {
    if (this.calls.size <= this.maxRememberedCalls) return;
    for (const call of this.calls.values()) {
      if (this.calls.size <= this.maxRememberedCalls * 0.9) break;
      const legs = call.legIds.map((id) => this.legs.get(id));
      if (legs.some((l) => l && l.state !== 'ended')) continue;
      for (const id of call.legIds) this.legs.delete(id);
      this.calls.delete(call.id);
      if (call.callUuid) this.callByUuid.delete(call.callUuid);
    }
  }

  private answerOutbound(leg: SimLeg, b: EndpointBehaviour): void {
    leg.state = 'answered';
    leg.answeredAt = this.clock.now();
    leg.voicemail = b.voicemail;
    const cmd = leg.originateCmd ?? undefined;
    this.emit({ type: 'answered', leg: leg.id, cmd, ...(b.voicemail ? { voicemail: true } : {}) });
    this.afterAnswer(leg, b);
  }

  /** Scripted behaviour once a leg is up: press digits, hang up after a while. */
  private afterAnswer(leg: SimLeg, b: EndpointBehaviour): void {
    if (b.digits) {
      let at = 1;
      for (const d of b.digits) {
        if (d === 'w' || d === 'W') at += 0.5;
        else {
          this.later(leg, at, () => this.emit({ type: 'dtmf', leg: leg.id, digit: d }));
          at += 1;
        }
      }
    }
    if (b.hangupAfterS !== null) this.later(leg, b.hangupAfterS, () => this.hangupFromNetwork(leg.id));
  }

  private fail(leg: SimLeg, reason: string): void {
    this.finish(leg, reason, { type: 'failed', leg: leg.id, cmd: leg.originateCmd ?? undefined, reason });
  }

  private finish(leg: SimLeg, reason: string, ev: DriverEvent): void {
    this.end(leg, reason);
    this.emit(ev);
  }

  private end(leg: SimLeg, reason: string): void {
    leg.state = 'ended';
    leg.endedAt = this.clock.now();
    leg.endReason = reason;
    leg.playing = null;
    leg.playCmd = null;
    leg.holdMusic = null;
    for (const cancel of leg.timers) cancel();
    leg.timers = [];
    if (leg.bridgedWith) {
      const peer = this.legs.get(leg.bridgedWith);
      if (peer) peer.bridgedWith = null;
      leg.bridgedWith = null;
    }
    // A call's recording ends with the call (the engine may never send `record stop`), as on SIP.
    const call = this.calls.get(leg.simCallId);
    if (call?.callUuid && call.legIds.every((id) => this.legs.get(id)?.state === 'ended'))
      if (this.recordings.finish(call.callUuid)) this.recordingReady(call.callUuid);
  }

  private later(leg: SimLeg, seconds: number, fn: () => void): void {
    leg.timers.push(
      this.clock.schedule(seconds * 1000, () => {
        if (leg.state !== 'ended') fn();
      }),
    );
  }

  private emit(ev: DriverEvent): void {
    this.sink?.event(ev);
  }

  private liveLeg(id: LegId): SimLeg {
    const leg = this.leg(id);
    if (leg.state === 'ended') throw new RuleViolation('the leg has already ended');
    return leg;
  }

  private newLeg(init: Pick<SimLeg, 'simCallId' | 'direction' | 'from' | 'to'> & { id?: LegId }): SimLeg {
    const leg: SimLeg = {
      id: init.id ?? randomUUID(),
      simCallId: init.simCallId,
      direction: init.direction,
      from: init.from,
      to: init.to,
      state: 'ringing',
      startedAt: this.clock.now(),
      answeredAt: null,
      endedAt: null,
      endReason: null,
      voicemail: false,
      bridgedWith: null,
      conference: null,
      playing: null,
      playCmd: null,
      originateCmd: null,
      holdMusic: null,
      muted: false,
      digitsReceived: '',
      timers: [],
    };
    this.legs.set(leg.id, leg);
    return leg;
  }
}
