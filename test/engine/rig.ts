import { ManualClock } from '../../src/clock.js';
import { CallEngine } from '../../src/engine/engine.js';
import { localLiveState } from '../../src/live/local/index.js';
import type { Logger } from '../../src/logger.js';
import { type CallStore, sqlCallStore } from '../../src/store/call-store.js';
import { SimNetwork } from '../../src/telephony/sim/network.js';
import type { TestApp } from '../helpers/app.js';
import { ChaosDriver, type ChaosOptions, seeded } from './chaos-driver.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  obj: object;
}

/**
 * An engine of its own on a test app's database and outbox, talking to the network through a chaos
 * driver, on its own manual clock; its leases in its own live state so a test can see them all.
 */
export function chaosRig(
  t: TestApp,
  opts: Partial<ChaosOptions> & { maxCallSeconds?: number; store?: (s: CallStore) => CallStore } = {},
) {
  const clock = new ManualClock(t.clock.now());
  const sim = new SimNetwork(clock);
  const chaos = new ChaosDriver(sim, clock, { random: seeded(1), ...opts });
  const live = localLiveState(clock, 'chaos-rig');
  const occupancy = live.leases;
  const logs: LogLine[] = [];
  const line = (level: LogLine['level']) => (obj: object, msg?: string) =>
    logs.push({ level, obj, msg: msg ?? '' });
  const logger: Logger = {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };
  const engine = new CallEngine({
    store: (opts.store ?? ((s) => s))(sqlCallStore(t.app.store.db, t.app.delivery.outbox)),
    clock,
    processId: 'chaos-rig',
    driver: chaos,
    logger,
    bus: t.app.bus,
    live,
    random: seeded(2),
    ratePerMinute: 0.1,
    maxCallSeconds: opts.maxCallSeconds ?? 3600,
    pixels: { conversionRules: t.app.services.conversionRules },
    webhooks: { webhooks: t.app.services.webhooks },
    fetchPing: async () => undefined,
  });
  chaos.attach(engine);
  clock.onQuiescence(() => engine.whenIdle());
  return {
    clock,
    sim,
    chaos,
    engine,
    occupancy,
    logs,
    /** Places a call and lets its script run to its first wait. */
    async call(from: string, to: string) {
      const placed = await sim.placeCall(from, to);
      await clock.settle();
      return { ...placed, inLeg: sim.call(placed.id).legs[0].id };
    },
    /** Legs the sim saw for a call, after the inbound one. */
    outbound(simCallId: string) {
      return sim.call(simCallId).legs.slice(1);
    },
  };
}
