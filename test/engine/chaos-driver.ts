import type { Clock } from '../../src/clock.js';
import {
  type CommandId,
  DriverError,
  type DriverEvent,
  type DriverSink,
  type IncomingCall,
  type LegId,
  type TelephonyDriver,
} from '../../src/telephony/driver.js';
import type { SimNetwork } from '../../src/telephony/sim/network.js';

/**
 * A test double of the driver contract that misbehaves as a real network can: it sits between the sim
 * network (which plays the far ends) and the engine, and can fail or stall any command, drop, delay
 * (and so reorder) or duplicate any event, send events for legs nobody knows, and answer a leg after
 * the engine hung it up. Chance decides from a seeded generator; `rules` force one case for named tests.
 */
export interface ChaosOptions {
  random: () => number;
  /** Chance that a command rejects with a DriverError. */
  fail?: number;
  /** Chance that a command never settles (the engine's deadline must catch it). */
  stall?: number;
  drop?: number;
  /** Chance that an event is held back 1–4 s (events behind it overtake it). */
  delay?: number;
  duplicate?: number;
  /** Chance, per event, of an extra event for a leg that does not exist. */
  stray?: number;
  /** Chance that a leg the engine hung up while it rang answers anyway. */
  lateAnswer?: number;
}

export type CommandName = keyof TelephonyDriver;

export interface CommandRule {
  command: CommandName;
  /** How many of the next matching commands it applies to. */
  times: number;
  mode: 'fail' | 'stall';
}

export interface EventRule {
  type: DriverEvent['type'];
  times: number;
  mode: 'drop' | { delayMs: number } | 'duplicate';
  /** Only events of outbound legs (not the caller's). */
  outboundOnly?: boolean;
}

export class ChaosDriver implements TelephonyDriver, DriverSink {
  readonly commandRules: CommandRule[] = [];
  readonly eventRules: EventRule[] = [];
  /** Every command the engine sent, in order: [name, cmd id, first argument]. */
  readonly sent: [CommandName, CommandId, unknown][] = [];
  private engine: DriverSink | undefined;
  private readonly inbound = new Set<LegId>();
  private readonly originates = new Map<LegId, CommandId>();
  private strays = 0;

  constructor(
    private readonly sim: SimNetwork,
    private readonly clock: Clock,
    private readonly opts: ChaosOptions,
  ) {
    sim.attach(this);
  }

  attach(engine: DriverSink): void {
    this.engine = engine;
  }

  // ---- the network side: the sim reports here, the engine hears it (or not) ----

  /** Runs right after the engine was told of an incoming call, while it is still setting it up. */
  duringSetUp: ((call: IncomingCall) => void) | undefined;

  incoming(call: IncomingCall): Promise<string> {
    this.inbound.add(call.leg);
    const uuid = this.engine!.incoming(call);
    this.duringSetUp?.(call);
    return uuid;
  }

  event(ev: DriverEvent): void {
    if (this.chance(this.opts.stray))
      this.deliver({ type: 'hangup', leg: `stray-${++this.strays}`, by: 'target' });
    const rule = this.takeEventRule(ev);
    const mode = rule?.mode ?? this.randomEventMode();
    if (mode === 'drop') return;
    if (mode === 'duplicate') {
      this.deliver(ev);
      this.deliver(ev);
      return;
    }
    if (mode) {
      this.clock.schedule(mode.delayMs, () => this.deliver(ev));
      return;
    }
    this.deliver(ev);
  }

  private randomEventMode(): EventRule['mode'] | undefined {
    if (this.chance(this.opts.drop)) return 'drop';
    if (this.chance(this.opts.duplicate)) return 'duplicate';
    if (this.chance(this.opts.delay)) return { delayMs: 1000 + Math.floor(this.opts.random() * 3000) };
    return undefined;
  }

  private deliver(ev: DriverEvent): void {
    this.engine?.event(ev);
  }

  // ---- the engine side: commands, each of which may fail or stall ----

  private async run(name: CommandName, cmd: CommandId, arg: unknown, fn: () => Promise<void>): Promise<void> {
    this.sent.push([name, cmd, arg]);
    const rule = this.commandRules.find((r) => r.command === name && r.times > 0);
    if (rule) rule.times--;
    const mode =
      rule?.mode ??
      (this.chance(this.opts.fail) ? 'fail' : this.chance(this.opts.stall) ? 'stall' : undefined);
    if (mode === 'fail') throw new DriverError(name, 'refused', 'chaos');
    if (mode === 'stall') return new Promise<void>(() => {});
    await fn();
  }

  originate: TelephonyDriver['originate'] = (cmd, req) =>
    this.run('originate', cmd, req.to, async () => {
      this.originates.set(req.leg, cmd);
      await this.sim.originate(cmd, req);
    });
  answer: TelephonyDriver['answer'] = (cmd, leg) =>
    this.run('answer', cmd, leg, () => this.sim.answer(cmd, leg));
  reject: TelephonyDriver['reject'] = (cmd, leg) =>
    this.run('reject', cmd, leg, () => this.sim.reject(cmd, leg));
  hangup: TelephonyDriver['hangup'] = (cmd, leg, cause) =>
    this.run('hangup', cmd, leg, async () => {
      const ringing = this.legState(leg) === 'ringing';
      await this.sim.hangup(cmd, leg, cause);
      const originate = this.originates.get(leg);
      // The far end's 200 OK crossed our CANCEL: an answer for a leg the engine already let go.
      if (ringing && originate && this.chance(this.opts.lateAnswer))
        this.clock.schedule(500, () => this.deliver({ type: 'answered', leg, cmd: originate }));
    });
  bridge: TelephonyDriver['bridge'] = (cmd, a, b) =>
    this.run('bridge', cmd, [a, b], () => this.sim.bridge(cmd, a, b));
  unbridge: TelephonyDriver['unbridge'] = (cmd, leg) =>
    this.run('unbridge', cmd, leg, () => this.sim.unbridge(cmd, leg));
  conference: TelephonyDriver['conference'] = (cmd, legs) =>
    this.run('conference', cmd, legs, () => this.sim.conference(cmd, legs));
  play: TelephonyDriver['play'] = (cmd, leg, prompt) =>
    this.run('play', cmd, leg, () => this.sim.play(cmd, leg, prompt));
  stopPlay: TelephonyDriver['stopPlay'] = (cmd, leg) =>
    this.run('stopPlay', cmd, leg, () => this.sim.stopPlay(cmd, leg));
  collect: TelephonyDriver['collect'] = (cmd, leg) => this.run('collect', cmd, leg, () => this.sim.collect());
  hold: TelephonyDriver['hold'] = (cmd, leg, music) =>
    this.run('hold', cmd, leg, () => this.sim.hold(cmd, leg, music));
  unhold: TelephonyDriver['unhold'] = (cmd, leg) =>
    this.run('unhold', cmd, leg, () => this.sim.unhold(cmd, leg));
  mute: TelephonyDriver['mute'] = (cmd, leg, on) =>
    this.run('mute', cmd, leg, () => this.sim.mute(cmd, leg, on));
  record: TelephonyDriver['record'] = (cmd, callUuid, action) =>
    this.run('record', cmd, callUuid, () => this.sim.record(cmd, callUuid, action));
  sendDigits: TelephonyDriver['sendDigits'] = (cmd, leg, digits) =>
    this.run('sendDigits', cmd, leg, () => this.sim.sendDigits(cmd, leg, digits));

  private legState(leg: LegId): string | undefined {
    try {
      return this.sim.leg(leg).state;
    } catch {
      return undefined;
    }
  }

  private takeEventRule(ev: DriverEvent): EventRule | undefined {
    const leg = 'leg' in ev ? ev.leg : undefined;
    const rule = this.eventRules.find(
      (r) => r.type === ev.type && r.times > 0 && !(r.outboundOnly && leg && this.inbound.has(leg)),
    );
    if (rule) rule.times--;
    return rule;
  }

  private chance(p: number | undefined): boolean {
    return !!p && this.opts.random() < p;
  }
}

/** A small seeded generator (mulberry32): the same seed replays the same chaos. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
