/**
 * SIP B2BUA throughput on loopback: sipp uac → Switchboard's sip driver → sipp uas.
 * 1. call set-ups per second, signalling only (target ≥ 1,000/s);
 * 2. concurrent dialogs held at once (target 5,000 calls);
 * 3. relayed G.711 legs with audio flowing (target ≥ 500 legs, RTP packet interval p99 < 25 ms).
 * Between the two sides runs a minimal forwarder in place of the engine (each inbound leg is dialled
 * to the uas, answered and bridged when it answers, hang-ups passed across), so the figures are the
 * SIP stack's and the media relay's own cost. Sizes: BENCH_SIP_CALLS, BENCH_SIP_CONCURRENT,
 * BENCH_SIP_RELAY_LEGS. Needs sipp (Debian `sip-tester`); the relay phase needs root for pcap play.
 */
import os from 'node:os';
import path from 'node:path';
import { SystemClock } from '../../src/clock.js';
import type { NodeMediaEngine } from '../../src/telephony/media/node-engine.js';
import { SipDriver } from '../../src/telephony/sip/driver.js';
import { freeUdpPort, sipp, uacScenario, uasScenario } from '../../test/telephony/sip/sipp.js';

const CALLS = Number(process.env.BENCH_SIP_CALLS ?? 3000);
const CONCURRENT = Number(process.env.BENCH_SIP_CONCURRENT ?? 5000);
const RATE = Number(process.env.BENCH_SIP_RATE ?? 1000);
const RELAY_LEGS = Number(process.env.BENCH_SIP_RELAY_LEGS ?? 500);

async function forwarder() {
  const uasPort = await freeUdpPort();
  const d = new SipDriver({
    clock: new SystemClock(),
    listen: { host: '127.0.0.1', port: 0 },
    rtpPorts: [10_000, 39_999],
    promptDir: path.join(os.tmpdir(), 'switchboard-prompts'),
  });
  const peerOf = new Map<string, string>();
  let n = 0;
  let answered = 0;
  let peak = 0;
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
      if (!('leg' in e)) return;
      const other = peerOf.get(e.leg);
      if (!other) return;
      if (e.type === 'answered') {
        answered++;
        void d.answer('a', other).then(() => d.bridge('b', other, e.leg));
        peak = Math.max(peak, d.ua.dialogs / 2);
      } else if (e.type === 'hangup' || e.type === 'busy' || e.type === 'noAnswer' || e.type === 'failed') {
        peerOf.delete(e.leg);
        peerOf.delete(other);
        void d.hangup('h', other);
      }
    },
  });
  await d.start();
  return { d, uasPort, stats: () => ({ answered, peak }) };
}

function line(label: string, value: number, unit: string, target: string, ok: boolean) {
  console.log(
    `${label.padEnd(44)} ${value.toFixed(0).padStart(8)} ${unit.padEnd(10)} target ${target.padEnd(10)} ${ok ? 'ok' : 'BELOW TARGET'}`,
  );
}

async function setups() {
  const f = await forwarder();
  const uas = await sipp(uasScenario('answer'), { port: f.uasPort, calls: CALLS, timeoutS: 120 });
  await new Promise((r) => setTimeout(r, 300));
  const started = performance.now();
  const uac = await sipp(uacScenario({ to: '+15550001111', holdMs: 0, hangup: 'caller' }), {
    target: `127.0.0.1:${f.d.port}`,
    calls: CALLS,
    rate: RATE,
    limit: 3000,
    timeoutS: 120,
  });
  const r = await uac.exited;
  const seconds = (performance.now() - started) / 1000;
  uas.kill();
  await f.d.stop();
  const { answered } = f.stats();
  line(
    'call set-ups per second (signalling only)',
    answered / seconds,
    'calls/s',
    '≥ 1000',
    answered / seconds >= 1000,
  );
  if (process.env.BENCH_DEBUG || r.code !== 0)
    console.log(`  (sipp reported failed calls: ${answered}/${CALLS} answered)\n${r.output}`);
}

async function concurrent() {
  const f = await forwarder();
  const uas = await sipp(uasScenario('answer'), { port: f.uasPort, calls: CONCURRENT, timeoutS: 180 });
  await new Promise((r) => setTimeout(r, 300));
  const uac = await sipp(
    uacScenario({ to: '+15550001111', holdMs: Math.ceil(CONCURRENT / 500) * 1000 + 4000, hangup: 'caller' }),
    {
      target: `127.0.0.1:${f.d.port}`,
      calls: CONCURRENT,
      rate: 500,
      limit: CONCURRENT,
      timeoutS: 180,
    },
  );
  await uac.exited;
  uas.kill();
  await f.d.stop();
  line(
    'concurrent calls held (two dialogs each)',
    f.stats().peak,
    'calls',
    `${CONCURRENT}`,
    f.stats().peak >= CONCURRENT,
  );
}

async function relay() {
  const calls = Math.ceil(RELAY_LEGS / 2);
  const f = await forwarder();
  const uas = await sipp(uasScenario('answer'), {
    port: f.uasPort,
    calls,
    extra: ['-rtp_echo'],
    timeoutS: 120,
  });
  await new Promise((r) => setTimeout(r, 300));
  const media = f.d.media as NodeMediaEngine;
  media.intervals.length = 0;
  const uac = await sipp(
    uacScenario({ to: '+15550001111', holdMs: 6000, hangup: 'caller', codecs: '8', pcap: 'g711a.pcap' }),
    {
      target: `127.0.0.1:${f.d.port}`,
      calls,
      rate: 200,
      limit: calls,
      files: ['/usr/share/sip-tester/g711a.pcap'],
      timeoutS: 120,
    },
  );
  await uac.exited;
  uas.kill();
  const iv = [...media.intervals].sort((a, b) => a - b);
  const p99 = iv[Math.floor(iv.length * 0.99)] ?? Number.NaN;
  await f.d.stop();
  line(
    'relayed legs at once',
    f.stats().peak * 2,
    'legs',
    `≥ ${RELAY_LEGS}`,
    f.stats().peak * 2 >= RELAY_LEGS,
  );
  line('relayed RTP packets', media.relayed, 'packets', '-', true);
  line('relayed packet interval p99', p99, 'ms', '< 25', p99 < 25);
}

const only = process.argv[3];
console.log(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} cores (figures below are only meaningful on an idle machine)`,
);
if (!only || only === 'setups') await setups();
if (!only || only === 'concurrent') await concurrent();
if (!only || only === 'relay') await relay();
process.exit(0);
