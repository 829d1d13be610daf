import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import {
  COMMAND_TIMEOUT_MS,
  type CommandId,
  DriverError,
  type HangupCause,
  type LegId,
  type OriginateRequest,
  type Prompt,
  type TelephonyDriver,
} from '../telephony/driver.js';

/** Ids are unique per process: a random prefix and a counter (cheaper than a uuid per command). */
const PREFIX = randomBytes(4).toString('hex');
let seq = 0;
export function newCommandId(): CommandId {
  seq = (seq + 1) % Number.MAX_SAFE_INTEGER;
  return `${PREFIX}-${seq}`;
}

/**
 * The engine's side of the driver contract: every command gets an id and a deadline, and any failure
 * comes back as a `DriverError`. Commands with nothing to fall back to (hang-ups, stopping a prompt,
 * digits) are best effort: a failure is logged and the call goes on.
 */
export class Telephony {
  /** Told after a leg was put on hold or taken off it, so hold periods are recorded whoever asked. */
  onHold: (leg: LegId, held: boolean) => Promise<void> = async () => {};

  constructor(
    private readonly driver: TelephonyDriver,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Told when a command is still pending after a turn of the event loop (-1) and when it ends (+1). */
    private readonly waiting: (delta: 1 | -1) => void = () => {},
    private readonly timeoutMs = COMMAND_TIMEOUT_MS,
  ) {}

  /** Runs one command with its id under the engine's deadline; resolves with the id. */
  async run(
    name: string,
    fn: (cmd: CommandId) => Promise<void>,
    cmd: CommandId = newCommandId(),
  ): Promise<CommandId> {
    let cancel: (() => void) | undefined;
    const deadline = new Promise<never>((_, reject) => {
      cancel = this.clock.schedule(this.timeoutMs, () => reject(new DriverError(name, 'timeout')));
    });
    try {
      const done = Promise.resolve().then(() => fn(cmd));
      if ((await Promise.race([done.then(() => true), nextTurn()])) !== true) await this.slow(done, deadline);
      return cmd;
    } catch (err) {
      throw err instanceof DriverError ? err : new DriverError(name, 'network', errorText(err));
    } finally {
      cancel?.();
      deadline.catch(() => {});
    }
  }

  /**
   * A command the network is slow to carry out counts as a wait, like waiting for an event: a manual
   * clock may then move on, and its deadline can fire.
   */
  private async slow(done: Promise<void>, deadline: Promise<never>): Promise<void> {
    this.waiting(-1);
    try {
      await Promise.race([done, deadline]);
    } finally {
      this.waiting(1);
    }
  }

  /** Best effort: logs a failure instead of throwing. */
  private async bestEffort(name: string, leg: string, fn: (cmd: CommandId) => Promise<void>): Promise<void> {
    try {
      await this.run(name, fn);
    } catch (err) {
      this.log.warn({ leg, err: errorText(err) }, `telephony ${name} failed`);
    }
  }

  /** `cmd` is made up before the call: the driver may answer with events before its promise resolves. */
  originate(cmd: CommandId, req: OriginateRequest): Promise<CommandId> {
    return this.run('originate', (c) => this.driver.originate(c, req), cmd);
  }
  answer(leg: LegId): Promise<CommandId> {
    return this.run('answer', (cmd) => this.driver.answer(cmd, leg));
  }
  reject(leg: LegId): Promise<void> {
    return this.bestEffort('reject', leg, (cmd) => this.driver.reject(cmd, leg));
  }
  hangup(leg: LegId, cause?: HangupCause): Promise<void> {
    return this.bestEffort('hangup', leg, (cmd) => this.driver.hangup(cmd, leg, cause));
  }
  bridge(a: LegId, b: LegId): Promise<CommandId> {
    return this.run('bridge', (cmd) => this.driver.bridge(cmd, a, b));
  }
  unbridge(leg: LegId): Promise<CommandId> {
    return this.run('unbridge', (cmd) => this.driver.unbridge(cmd, leg));
  }
  conference(legs: LegId[]): Promise<CommandId> {
    return this.run('conference', (cmd) => this.driver.conference(cmd, legs));
  }
  play(cmd: CommandId, leg: LegId, prompt: Prompt): Promise<CommandId> {
    return this.run('play', (c) => this.driver.play(c, leg, prompt), cmd);
  }
  stopPlay(leg: LegId): Promise<void> {
    return this.bestEffort('stopPlay', leg, (cmd) => this.driver.stopPlay(cmd, leg));
  }
  async hold(leg: LegId, music: string): Promise<CommandId> {
    const cmd = await this.run('hold', (c) => this.driver.hold(c, leg, music));
    await this.onHold(leg, true);
    return cmd;
  }
  async unhold(leg: LegId): Promise<CommandId> {
    const cmd = await this.run('unhold', (c) => this.driver.unhold(c, leg));
    await this.onHold(leg, false);
    return cmd;
  }
  mute(leg: LegId, on: boolean): Promise<CommandId> {
    return this.run('mute', (cmd) => this.driver.mute(cmd, leg, on));
  }
  record(callUuid: string, action: 'start' | 'pause' | 'resume' | 'stop'): Promise<CommandId> {
    return this.run('record', (cmd) => this.driver.record(cmd, callUuid, action));
  }
  sendDigits(leg: LegId, digits: string): Promise<void> {
    return this.bestEffort('sendDigits', leg, (cmd) => this.driver.sendDigits(cmd, leg, digits));
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function nextTurn(): Promise<false> {
  return new Promise((resolve) => setImmediate(() => resolve(false)));
}
