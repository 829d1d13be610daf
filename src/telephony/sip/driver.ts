/**
 * The `sip` telephony driver (DESIGN.md §3): a back-to-back user agent. Each engine leg is one SIP
 * INVITE session (the caller's, or one we place toward a target, a registered phone or the trunk) with
 * its own RTP endpoint in the media engine. Commands map onto SIP and media operations; SIP outcomes
 * come back as the contract's events, echoing the command that caused them.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Cancel, Clock } from '../../clock.js';
import {
  COMMAND_TIMEOUT_MS,
  type DriverEvent,
  type DriverSink,
  type HangupCause,
  type LegId,
  type OriginateRequest,
  type Prompt,
} from '../driver.js';
import type { MediaEngine } from '../media/media.js';
import { NodeMediaEngine } from '../media/node-engine.js';
import { holdMusic, PromptCache, silence } from '../media/prompts.js';
import type { Credentials } from './digest.js';
import { parseNameAddr, parseUri } from './headers.js';
import { header, REASONS } from './message.js';
import { Registrar } from './registrar.js';
import { answerDirection, type Codec, type LocalMedia, parseSdp, type RemoteMedia, writeSdp } from './sdp.js';
import type { InboundCall, OutboundCall } from './session.js';
import type { Timing } from './transaction.js';
import type { Peer } from './transport.js';
import { UserAgent } from './ua.js';

type CommandId = string;
type Event = DriverEvent & { cmd?: CommandId };

export interface SipDriverOptions {
  clock: Clock;
  listen: { host: string; port: number };
  /** Address written into Via, Contact and SDP (SIP_PUBLIC_ADDRESS); defaults to the listen address. */
  publicHost?: string;
  publicPort?: number;
  /** Outbound proxy for numbers that are not SIP URIs (SIP_TRUNK). */
  trunk?: { uri: string; credentials?: Credentials };
  rtpPorts: [number, number];
  promptDir: string;
  /** Our domain for registered users (`sip:<extension>@<domain>`). */
  domain?: string;
  passwords?: (extension: string) => string | undefined;
  media?: MediaEngine;
  timing?: Timing;
  /** Where finished recordings are written (`<callUuid>.wav`); without it `record` does nothing. */
  recordingsDir?: string;
  /** The bytes of an uploaded audio prompt (`audio_files`), any format `sox` reads. */
  audio?: (audioId: number) => Promise<Buffer | undefined>;
  /** Incoming calls the engine has not answered yet beyond which new INVITEs get 503 (default 200). */
  maxSettingUp?: number;
}

interface Leg {
  id: LegId;
  inbound: boolean;
  session: InboundCall | OutboundCall;
  state: 'ringing' | 'answered' | 'ended';
  remote: RemoteMedia | undefined;
  /** The originate that created it; its outcome events echo it. */
  cmd?: CommandId;
  endedByUs: boolean;
  timer?: Cancel;
  sdpVersion: number;
  codec: Codec;
  playing?: CommandId;
  /** The engine's call: known for an originate at once, for an incoming leg once it is recorded. */
  callUuid?: string;
  /** On a leg dialled to carry out a phone's REFER: the phone to tell how it went. */
  referral?: Referral;
  /** An incoming leg the engine has not answered or ended yet (counted in `settingUp`). */
  settingUp?: boolean;
}

/**
 * A phone's REFER being carried out (RFC 3515): the phone got 202 and NOTIFY 100 Trying; it is told
 * the transfer target's final status once known. The engine hangs the phone up as soon as it has
 * dialled the target; that BYE waits (`parked`) until the final NOTIFY has gone, so the phone hears
 * the outcome before its dialog ends.
 */
interface Referral {
  callUuid: string;
  from: Leg;
  parked: boolean;
  linked: boolean;
  /** The engine did not dial anything for it in time (it refused the transfer): 603. */
  guard: Cancel;
}

/** The path a call's recording is served at (Core API, authenticated with its key). */
export const recordingPath = (callUuid: string) => `/calls/${callUuid}/recording.wav`;

const DTMF_PT = 101;
const MUSIC = holdMusic();

export class SipDriver {
  readonly ua: UserAgent;
  readonly media: MediaEngine;
  readonly registrar: Registrar | undefined;
  private readonly prompts: PromptCache;
  private readonly legs = new Map<LegId, Leg>();
  /** Calls being recorded; the value is the `record start` command. */
  private readonly recordings = new Map<string, CommandId>();
  private readonly referrals = new Set<Referral>();
  /**
   * Incoming calls waiting for the engine (recorded, routed, answered). Past `maxSettingUp` new
   * INVITEs are refused with 503 at once: measured with bench/sip, an engine given 1,000 INVITEs a
   * second on 2 loaded cores took every one and completed none in time (the callers gave up first);
   * refused, they go elsewhere (Kamailio's failure route sends a 503 to the next node).
   */
  private settingUp = 0;
  private sink: DriverSink | undefined;
  private trunkPeer: Peer | undefined;

  constructor(private readonly opts: SipDriverOptions) {
    this.registrar = opts.passwords
      ? new Registrar(opts.clock, opts.domain ?? opts.publicHost ?? opts.listen.host, opts.passwords)
      : undefined;
    this.ua = new UserAgent(
      {
        clock: opts.clock,
        listenHost: opts.listen.host,
        listenPort: opts.listen.port,
        publicHost: opts.publicHost,
        publicPort: opts.publicPort,
        timing: opts.timing,
      },
      {
        invite: (call) => void this.onInvite(call),
        register: this.registrar ? (req, tx, from) => this.registrar!.handle(req, tx, from) : undefined,
      },
    );
    this.media =
      opts.media ??
      new NodeMediaEngine({
        host: opts.listen.host === '0.0.0.0' ? '0.0.0.0' : opts.listen.host,
        ports: opts.rtpPorts,
        events: { dtmf: (leg, digit) => this.emit({ type: 'dtmf', leg, digit }) },
      });
    this.prompts = new PromptCache(opts.promptDir);
  }

  attach(sink: DriverSink): void {
    this.sink = sink;
  }

  async start(): Promise<void> {
    await this.ua.start();
    if (this.opts.trunk) this.trunkPeer = await this.ua.resolve(this.opts.trunk.uri);
  }

  async stop(): Promise<void> {
    for (const leg of this.legs.values()) this.end(leg, true);
    for (const r of this.referrals) this.referralDone(r, 503);
    await Promise.all([...this.recordings.keys()].map((uuid) => this.finishRecording(uuid)));
    await this.ua.stop();
    if (this.media instanceof NodeMediaEngine) await this.media.shutdown();
  }

  get port(): number {
    return this.ua.boundPort;
  }

  leg(id: LegId): Readonly<Leg> | undefined {
    return this.legs.get(id);
  }

  private emit(ev: Event): void {
    this.sink?.event(ev as DriverEvent);
  }

  // ── incoming calls ──────────────────────────────────────────────────────────────────────────

  private async onInvite(call: InboundCall): Promise<void> {
    if (this.settingUp >= (this.opts.maxSettingUp ?? 200)) {
      call.reject(503);
      return;
    }
    const remote = parseSdp(call.request.body.toString());
    if (!remote) {
      call.reject(488); // no offer, or no G.711 in it: we only answer what we can hear
      return;
    }
    const id = randomUUID();
    const leg: Leg = {
      id,
      inbound: true,
      session: call,
      state: 'ringing',
      remote,
      endedByUs: false,
      sdpVersion: 1,
      codec: remote.codec,
      settingUp: true,
    };
    this.settingUp++;
    try {
      await this.media.open(id);
      await call.prepare();
    } catch {
      this.setUp(leg);
      this.media.close(id);
      call.reject(503);
      return;
    }
    this.legs.set(id, leg);
    this.media.connect(id, { ...remote, codec: remote.codec });
    call.listener = {
      ended: () => this.remoteEnded(leg, 'caller'),
      reoffer: (sdp) => this.reoffer(leg, sdp),
    };
    if (!call.alive) return this.remoteEnded(leg, 'caller'); // CANCELled while we opened media
    call.ring();
    const from = parseUri(parseNameAddr(header(call.request, 'from') ?? '')?.uri ?? '');
    const to = parseUri(call.request.uri);
    this.sink
      ?.incoming({ leg: id, from: from?.user ?? from?.host ?? 'anonymous', to: to?.user ?? '' })
      .then((uuid) => {
        leg.callUuid = uuid;
      })
      .catch(() => {
        if (leg.state === 'ringing') this.end(leg, true, 404);
      });
  }

  /** The phone put us on hold or took us off it (re-INVITE): answer in kind, keep the media going. */
  private reoffer(leg: Leg, sdp: string): string | undefined {
    const remote = parseSdp(sdp);
    if (!remote) return undefined;
    leg.remote = remote;
    this.media.connect(leg.id, remote);
    return this.localSdp(leg, answerDirection(remote.direction), [remote.codec]);
  }

  private localSdp(leg: Leg, direction: LocalMedia['direction'], codecs: Codec[]): string {
    const port = this.media.portOf(leg.id) ?? 0;
    return writeSdp({
      address: this.ua.host,
      port,
      codecs,
      dtmfPayloadType: leg.remote?.dtmfPayloadType ?? DTMF_PT,
      direction,
      sessionId: 1,
      version: leg.sdpVersion++,
    });
  }

  private remoteEnded(leg: Leg, by: 'caller' | 'target'): void {
    if (leg.state === 'ended') return;
    const wasRinging = leg.state === 'ringing';
    this.end(leg, false);
    if (leg.endedByUs) return;
    if (!leg.inbound && wasRinging) return; // outcome already reported by the originate's listener
    this.emit({ type: 'hangup', leg: leg.id, by });
  }

  /** The engine is done setting this incoming leg up (answered it, or it ended). */
  private setUp(leg: Leg): void {
    if (!leg.settingUp) return;
    leg.settingUp = false;
    this.settingUp--;
  }

  private end(leg: Leg, local: boolean, status?: number): void {
    if (leg.state === 'ended') return;
    this.setUp(leg);
    leg.state = 'ended';
    leg.endedByUs = local;
    leg.timer?.();
    if (leg.referral) this.referralDone(leg.referral, 487); // ended by us before any outcome
    if (local) leg.session.hangup(status);
    this.media.close(leg.id);
    this.legs.delete(leg.id);
    // A call's recording ends with its caller (the engine may never send `record stop`).
    if (leg.inbound && leg.callUuid && this.recordings.has(leg.callUuid))
      void this.finishRecording(leg.callUuid);
  }

  // ── commands ───────────────────────────────────────────────────────────────────────────────

  async answer(_cmd: CommandId, id: LegId): Promise<void> {
    const leg = this.legs.get(id);
    if (!leg?.inbound || leg.state !== 'ringing' || !leg.remote) return;
    this.setUp(leg);
    leg.state = 'answered';
    const sdp = this.localSdp(leg, answerDirection(leg.remote.direction), [leg.remote.codec]);
    (leg.session as InboundCall).accept(sdp);
  }

  async reject(_cmd: CommandId, id: LegId): Promise<void> {
    const leg = this.legs.get(id);
    if (leg) this.end(leg, true, 603);
  }

  async hangup(_cmd: CommandId, id: LegId, cause: HangupCause = 'normal'): Promise<void> {
    const leg = this.legs.get(id);
    if (!leg) return;
    const referral = [...this.referrals].find((r) => r.from === leg);
    if (referral?.linked) {
      this.end(leg, false); // gone for the engine; the BYE follows the final NOTIFY
      leg.endedByUs = true;
      referral.parked = true;
      return;
    }
    const status = cause === 'busy' ? 486 : cause === 'rejected' ? 603 : 480;
    this.end(leg, true, status);
  }

  async originate(cmd: CommandId, req: OriginateRequest): Promise<void> {
    const referral = this.linkReferral(req.callUuid);
    const route = await this.route(req.to);
    if (!route) {
      if (referral) this.referralDone(referral, 404);
      this.emit({ type: 'failed', leg: req.leg, cmd, reason: 'no route' });
      return;
    }
    const { port } = await this.media.open(req.leg);
    const sdp = writeSdp({
      address: this.ua.host,
      port,
      codecs: ['PCMU', 'PCMA'],
      dtmfPayloadType: DTMF_PT,
      direction: 'sendrecv',
      sessionId: 1,
      version: 1,
    });
    const fromUser = req.from.replace(/[^0-9A-Za-z+*#._-]/g, '') || 'switchboard';
    const session = this.ua.call({
      target: route.target,
      to: route.target,
      from: { uri: `sip:${fromUser}@${this.ua.host}` },
      sdp,
      via: route.via,
      credentials: route.credentials,
    });
    const leg: Leg = {
      id: req.leg,
      inbound: false,
      session,
      state: 'ringing',
      remote: undefined,
      cmd,
      endedByUs: false,
      sdpVersion: 2,
      codec: 'PCMU',
      callUuid: req.callUuid,
      referral,
    };
    this.legs.set(leg.id, leg);
    if (this.recordings.has(req.callUuid)) this.media.record(req.callUuid, [leg.id]);
    session.listener = {
      progress: (status) => {
        if (status === 180 || status === 183) this.emit({ type: 'ringing', leg: leg.id, cmd });
      },
      answered: (answer) => this.outboundAnswered(leg, answer),
      failed: (status) => this.outboundFailed(leg, status),
      ended: () => this.remoteEnded(leg, 'target'),
      reoffer: (offer) => this.reoffer(leg, offer),
      refer: (target) => this.referred(leg, target),
    };
    leg.timer = this.opts.clock.schedule(req.timeoutS * 1000, () => {
      if (leg.state !== 'ringing') return;
      if (leg.referral) this.referralDone(leg.referral, 408);
      this.end(leg, true);
      this.emit({ type: 'noAnswer', leg: leg.id, cmd });
    });
    session.start();
  }

  /**
   * A target's phone transferred the caller (REFER, blind): accepted on an answered leg and handed to
   * the engine, which transfers the caller and hangs this leg up. A caller's REFER is refused (603).
   */
  private referred(leg: Leg, target: string): boolean {
    if (leg.inbound || leg.state !== 'answered' || !/^sips?:/i.test(target) || !leg.callUuid) return false;
    const callUuid = leg.callUuid;
    const u = parseUri(target);
    if (!u || [...this.referrals].some((r) => r.callUuid === callUuid)) return false;
    // A phone number on our own domain goes out as that number (the trunk); any other URI is dialled as is.
    const ours = u.host === this.ua.host || u.host === this.registrar?.domain;
    const number = u.user && /^\+?[0-9]{7,15}$/.test(u.user) ? u.user : undefined;
    const to =
      ours && number ? number : `sip:${u.user ? `${u.user}@` : ''}${u.host}${u.port ? `:${u.port}` : ''}`;
    const r: Referral = { callUuid, from: leg, parked: false, linked: false, guard: () => {} };
    r.guard = this.opts.clock.schedule(COMMAND_TIMEOUT_MS, () => this.referralDone(r, 603));
    this.referrals.add(r);
    this.emit({ type: 'transferRequested', leg: leg.id, to });
    return true;
  }

  /** The engine dials for a call with a REFER pending: that leg carries the transfer out. */
  private linkReferral(callUuid: string): Referral | undefined {
    const r = [...this.referrals].find((x) => x.callUuid === callUuid && !x.linked);
    if (!r) return undefined;
    r.linked = true;
    r.guard();
    return r;
  }

  /** The transfer's final status goes to the phone that asked (NOTIFY), then its parked BYE. */
  private referralDone(r: Referral, status: number): void {
    if (!this.referrals.delete(r)) return;
    r.guard();
    const session = r.from.session;
    session.referOutcome(status, REASONS[status] ?? 'Failed');
    if (r.parked) session.hangup();
  }

  private outboundAnswered(leg: Leg, answer: string): void {
    if (leg.state !== 'ringing') return;
    const remote = parseSdp(answer);
    if (!remote) {
      this.end(leg, true);
      this.emit({ type: 'failed', leg: leg.id, cmd: leg.cmd, reason: 'no usable media in the answer' });
      return;
    }
    leg.timer?.();
    if (leg.referral) this.referralDone(leg.referral, 200);
    leg.state = 'answered';
    leg.remote = remote;
    leg.codec = remote.codec;
    this.media.connect(leg.id, remote);
    this.emit({ type: 'answered', leg: leg.id, cmd: leg.cmd });
  }

  private outboundFailed(leg: Leg, status: number): void {
    if (leg.state !== 'ringing') return;
    if (leg.referral) this.referralDone(leg.referral, status);
    this.end(leg, false);
    if (leg.endedByUs) return;
    const cmd = leg.cmd;
    if (status === 486 || status === 600) this.emit({ type: 'busy', leg: leg.id, cmd });
    else if (status === 408 || status === 480 || status === 487)
      this.emit({ type: 'noAnswer', leg: leg.id, cmd });
    else
      this.emit({ type: 'failed', leg: leg.id, cmd, reason: status === 603 ? 'rejected' : `sip ${status}` });
  }

  /** Where an originate goes: a SIP URI directly, a registered user's phone, or a number via the trunk. */
  private async route(
    to: string,
  ): Promise<{ target: string; via: Peer; credentials?: Credentials } | undefined> {
    if (/^sips?:/i.test(to)) {
      const u = parseUri(to);
      const domain = this.registrar?.domain;
      // Our own domain (on our port or none) means a registered user, not a host to call directly.
      if (u?.user && domain && u.host === domain && (u.port === undefined || u.port === this.ua.port)) {
        const b = this.registrar!.contacts(u.user)[0];
        if (!b) return undefined;
        return { target: b.contact, via: (await this.ua.resolve(b.contact)) ?? b.source };
      }
      const via = await this.ua.resolve(to);
      return via ? { target: to, via } : undefined;
    }
    const trunk = this.opts.trunk;
    if (!trunk || !this.trunkPeer) return undefined;
    const t = parseUri(trunk.uri);
    const number = to.replace(/[^0-9+*#]/g, '');
    if (!t || !number) return undefined;
    return {
      target: `sip:${number}@${t.host}${t.port ? `:${t.port}` : ''}`,
      via: this.trunkPeer,
      credentials: trunk.credentials,
    };
  }

  async bridge(_cmd: CommandId, a: LegId, b: LegId): Promise<void> {
    this.media.stop(a);
    this.media.stop(b);
    this.media.bridge(a, b);
  }

  async unbridge(_cmd: CommandId, id: LegId): Promise<void> {
    this.media.unbridge(id);
  }

  async conference(_cmd: CommandId, ids: LegId[]): Promise<void> {
    this.media.conference(ids);
  }

  async play(cmd: CommandId, id: LegId, prompt: Prompt, opts: { loop?: boolean } = {}): Promise<void> {
    const leg = this.legs.get(id);
    if (!leg || leg.state === 'ended') return;
    leg.playing = cmd;
    // Synthesis can take a while on a busy machine: the command is accepted now, `playDone` follows.
    void this.render(prompt).then(async (samples) => {
      if (leg.playing !== cmd || !this.legs.has(id)) return;
      const finished = await this.media.play(id, samples, opts);
      if (finished && leg.playing === cmd) {
        leg.playing = undefined;
        this.emit({ type: 'playDone', leg: id, cmd });
      }
    });
  }

  private async render(prompt: Prompt): Promise<Int16Array> {
    if (prompt.kind === 'audio') {
      const bytes = prompt.audioId !== undefined ? await this.opts.audio?.(prompt.audioId) : undefined;
      // An unreadable or missing file keeps the call's timing with silence of its estimated length.
      if (!bytes) return silence(Math.max(1, prompt.durationS));
      return this.prompts.decode(bytes, prompt.name).catch(() => silence(Math.max(1, prompt.durationS)));
    }
    try {
      return await this.prompts.speak(prompt.text, prompt.voice);
    } catch {
      // No espeak-ng/sox: keep the call's timing (about 2.5 words a second) with silence.
      return silence(Math.max(1, Math.ceil(prompt.text.split(/\s+/).length / 2.5)));
    }
  }

  async stopPlay(_cmd: CommandId, id: LegId): Promise<void> {
    const leg = this.legs.get(id);
    if (leg) leg.playing = undefined;
    this.media.stop(id);
  }

  async collect(): Promise<void> {
    // Digits are always reported as `dtmf` events; the engine decides which ones it wants.
  }

  async hold(_cmd: CommandId, id: LegId): Promise<void> {
    const leg = this.legs.get(id);
    if (!leg || leg.state === 'ended') return;
    leg.playing = undefined;
    void this.media.play(id, MUSIC, { loop: true });
  }

  async unhold(_cmd: CommandId, id: LegId): Promise<void> {
    this.media.stop(id);
  }

  async mute(_cmd: CommandId, id: LegId, on: boolean): Promise<void> {
    this.media.mute(id, on);
  }

  /**
   * Records what the call's legs say (mixed) to `<recordingsDir>/<callUuid>.wav`; `stop`, or the
   * caller's leg ending, writes the file and answers `recordingReady` with its path. Pause leaves the
   * paused span out; `start` on a paused recording resumes it.
   */
  async record(
    cmd: CommandId,
    callUuid: string,
    action: 'start' | 'pause' | 'resume' | 'stop',
  ): Promise<void> {
    if (!this.opts.recordingsDir) return;
    if (action === 'stop') return this.finishRecording(callUuid, cmd);
    if (action === 'start' && !this.recordings.has(callUuid)) {
      this.recordings.set(callUuid, cmd);
      const ids = [...this.legs.values()].filter((l) => l.callUuid === callUuid).map((l) => l.id);
      this.media.record(callUuid, ids);
      return;
    }
    if (this.recordings.has(callUuid)) this.media.pauseRecording(callUuid, action === 'pause');
  }

  private async finishRecording(callUuid: string, cmd?: CommandId): Promise<void> {
    if (!this.recordings.has(callUuid)) return;
    const started = this.recordings.get(callUuid);
    this.recordings.delete(callUuid);
    const bytes = this.media.finishRecording(callUuid);
    if (!bytes || !this.opts.recordingsDir) return;
    const file = path.join(this.opts.recordingsDir, `${callUuid}.wav`);
    try {
      await mkdir(this.opts.recordingsDir, { recursive: true });
      await writeFile(`${file}.tmp`, bytes);
      await rename(`${file}.tmp`, file);
    } catch {
      // An unwritable disk loses this recording (the call has none), never the process.
      return;
    }
    this.emit({ type: 'recordingReady', callUuid, url: recordingPath(callUuid), cmd: cmd ?? started });
  }

  /** The recording file of a call, if this driver wrote one (the Core API serves it). */
  recordingFile(callUuid: string): string | undefined {
    if (!this.opts.recordingsDir || !/^[0-9a-f-]{36}$/i.test(callUuid)) return undefined;
    return path.join(this.opts.recordingsDir, `${callUuid}.wav`);
  }

  async sendDigits(_cmd: CommandId, id: LegId, digits: string): Promise<void> {
    await this.media.sendDigits(id, digits.replace(/[wW]/g, ''));
  }
}
