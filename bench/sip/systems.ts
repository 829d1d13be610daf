/**
 * What bench/sip puts between the sipp caller and the sipp target, each on a real socket on loopback:
 * - `engine`: Switchboard itself (`buildApp` with SWITCHBOARD_TELEPHONY=sip, the database BENCH_DB
 *   asks for), a tracked number whose campaign routes to the sipp target — the whole product path:
 *   number look-up, call record, routing, originate, bridge, leg and end records.
 * - `forwarder`: the same SIP driver with a minimal forwarder in place of the engine (each inbound
 *   leg dialled to the target, answered and bridged when it answers, hang-ups passed across): the
 *   SIP stack's and media relay's own cost, the reference the engine is compared with.
 * - `direct`: sipp caller straight to sipp target, the ceiling of the peers themselves.
 * Each counts the target's answers and the most calls up at once, and reads its process's CPU.
 */
import os from 'node:os';
import path from 'node:path';
import { SystemClock } from '../../src/clock.js';
import type { DriverEvent } from '../../src/telephony/driver.js';
import { SipDriver } from '../../src/telephony/sip/driver.js';
import { freeUdpPort } from '../../test/telephony/sip/sipp.js';
import { startSwitchboard } from '../lib/servers.js';

export interface System {
  name: string;
  /** Where the sipp caller sends its INVITEs, and the Request-URI user it dials. */
  port: number;
  dial: string;
  /** Where the sipp target listens. */
  uasPort: number;
  /** The SIP driver in this process (none for `direct`). */
  driver: SipDriver | undefined;
  answered(): number;
  /** performance.now() of the last answer: set-ups per second are counted up to it. */
  lastAnswerAt(): number;
  /** Most calls (caller and target dialogs) up at once. */
  peak(): number;
  /** What the call records say (engine only): how many, connected, who hung up. */
  records?(): Promise<string>;
  stop(): Promise<void>;
}

const RTP_PORTS: [number, number] = [10_000, 39_999];

/** Counts answers and the dialogs up at each one: on the driver's events, whoever consumes them. */
function counter(driver: SipDriver) {
  let answered = 0;
  let peak = 0;
  let last = 0;
  return {
    seen(e: DriverEvent) {
      if (e.type !== 'answered') return;
      answered++;
      last = performance.now();
      peak = Math.max(peak, driver.ua.dialogs / 2);
    },
    answered: () => answered,
    lastAnswerAt: () => last,
    peak: () => peak,
  };
}

export async function engine(): Promise<System> {
  const uasPort = await freeUdpPort();
  const sb = await startSwitchboard({
    env: {
      SWITCHBOARD_TELEPHONY: 'sip',
      SIP_LISTEN: '127.0.0.1:0',
      RTP_PORTS: RTP_PORTS.join('-'),
      LOG_LEVEL: 'error',
    },
  });
  const t = await sb.api('POST', '/targets.json', {
    target: { number: `sip:t@127.0.0.1:${uasPort}`, name: 'sipp uas' },
  });
  const c = await sb.api('POST', '/campaigns.json', {
    campaign: { name: 'bench', target_ids: [t.target.id] },
  });
  const number = (await sb.api('POST', '/numbers.json', { number: { afid: 'bench', cid: c.campaign.cid } }))
    .number.number as string;
  const driver = sb.app.sip!;
  const count = counter(driver);
  const sink = sb.app.engine;
  // The engine stays the driver's sink; the bench only looks at the events on their way.
  driver.attach({
    incoming: (call) => sink.incoming(call),
    event: (e) => {
      count.seen(e);
      sink.event(e);
    },
  });
  return {
    name: `engine (${sb.db})`,
    port: driver.port,
    dial: number.replace(/[^0-9+]/g, ''),
    uasPort,
    driver,
    answered: count.answered,
    lastAnswerAt: count.lastAnswerAt,
    peak: count.peak,
    records: async () => {
      const rows = await sb.app.store.db
        .selectFrom('calls')
        .select(['status', 'hung_up_by', 'connected'])
        .execute();
      const by = new Map<string, number>();
      for (const r of rows) {
        const k = `${r.status}/${r.hung_up_by ?? 'live'}${r.connected ? '/connected' : ''}`;
        by.set(k, (by.get(k) ?? 0) + 1);
      }
      return `${rows.length} call records: ${[...by].map(([k, v]) => `${v} ${k}`).join(', ')}`;
    },
    stop: () => sb.close(),
  };
}

export async function forwarder(): Promise<System> {
  const uasPort = await freeUdpPort();
  const d = new SipDriver({
    clock: new SystemClock(),
    listen: { host: '127.0.0.1', port: 0 },
    rtpPorts: RTP_PORTS,
    promptDir: path.join(os.tmpdir(), 'switchboard-prompts'),
  });
  const count = counter(d);
  const peerOf = new Map<string, string>();
  let n = 0;
  d.attach({
    incoming: async (c) => {
      const out = `out-${n++}`;
      peerOf.set(c.leg, out);
      peerOf.set(out, c.leg);
      void d.originate(`o-${out}`, {
        leg: out,
        callUuid: c.leg,
        to: `sip:t@127.0.0.1:${uasPort}`,
        from: c.from,
        timeoutS: 30,
      });
      return c.leg;
    },
    event: (e) => {
      count.seen(e);
      if (!('leg' in e)) return;
      const other = peerOf.get(e.leg);
      if (!other) return;
      if (e.type === 'answered') {
        void d.answer('a', other).then(() => d.bridge('b', other, e.leg));
      } else if (e.type === 'hangup' || e.type === 'busy' || e.type === 'noAnswer' || e.type === 'failed') {
        peerOf.delete(e.leg);
        peerOf.delete(other);
        void d.hangup('h', other);
      }
    },
  });
  await d.start();
  return {
    name: 'forwarder (SIP stack only)',
    port: d.port,
    dial: '+15550001111',
    uasPort,
    driver: d,
    answered: count.answered,
    lastAnswerAt: count.lastAnswerAt,
    peak: count.peak,
    stop: () => d.stop(),
  };
}

/** No B2BUA: the caller's INVITEs go to the target itself. Answers are counted by sipp's exit. */
export async function direct(): Promise<System> {
  const uasPort = await freeUdpPort();
  return {
    name: 'sipp to sipp (no B2BUA)',
    port: uasPort,
    dial: '+15550001111',
    uasPort,
    driver: undefined,
    answered: () => Number.NaN,
    lastAnswerAt: () => Number.NaN,
    peak: () => Number.NaN,
    stop: async () => {},
  };
}
