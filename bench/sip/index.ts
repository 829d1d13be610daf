/**
 * SIP on loopback, `npm run bench -- sip [setups|concurrent|relay]` (BENCH_DB=postgres for PostgreSQL):
 * sipp uac → Switchboard (the whole engine, SWITCHBOARD_TELEPHONY=sip) → sipp uas, beside references
 * run the same way in the same run (systems.ts): the SIP driver under a minimal forwarder, and for
 * set-ups sipp straight to sipp.
 * 1. call set-ups per second, signalling only (issue 11: ≥ 1,000/s);
 * 2. concurrent calls held at once (5,000);
 * 3. relayed G.711 legs with audio flowing (≥ 500 legs, RTP packet interval p99 < 25 ms).
 * Each line gives the CPU this process spent per call (the B2BUA's whole cost; sipp runs apart) and the
 * load average, since the machine is shared. Sizes: BENCH_SIP_CALLS, BENCH_SIP_RATE,
 * BENCH_SIP_CONCURRENT, BENCH_SIP_CONCURRENT_RATE, BENCH_SIP_RELAY_LEGS; BENCH_SIP_SYSTEMS=engine
 * runs only the engine (for `node --cpu-prof`). Needs sipp (Debian `sip-tester`); relay needs root.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import type { NodeMediaEngine } from '../../src/telephony/media/node-engine.js';
import { sipp, uacScenario, uasScenario } from '../../test/telephony/sip/sipp.js';
import { direct, engine, forwarder, type System } from './systems.js';

const CALLS = Number(process.env.BENCH_SIP_CALLS ?? 3000);
const RATE = Number(process.env.BENCH_SIP_RATE ?? 1000);
const SETUP_HOLD_MS = 2000;
const CONCURRENT = Number(process.env.BENCH_SIP_CONCURRENT ?? 5000);
const CONCURRENT_RATE = Number(process.env.BENCH_SIP_CONCURRENT_RATE ?? 500);
const RELAY_LEGS = Number(process.env.BENCH_SIP_RELAY_LEGS ?? 500);
const SYSTEMS = (process.env.BENCH_SIP_SYSTEMS ?? 'engine,forwarder,direct').split(',');

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

function line(label: string, value: number, unit: string, target: string, ok: boolean | null, extra = '') {
  const verdict = ok === null ? '(reference)' : ok ? 'ok' : 'BELOW TARGET';
  console.log(
    `  ${label.padEnd(40)} ${Number.isFinite(value) ? value.toFixed(0).padStart(7) : '      –'} ${unit.padEnd(8)} target ${target.padEnd(8)} ${verdict.padEnd(12)} ${extra}`,
  );
}

/**
 * This process's CPU over the calls that got through: refused calls (503 past `maxSettingUp`) cost
 * little each, so dividing by calls offered would flatter an overloaded run.
 */
const perCall = (cpuUs: number, answered: number) =>
  answered > 0 ? Math.round(cpuUs / answered) : Number.NaN;

/** sipp's own tally at exit (its final statistics screen). */
function sippTally(output: string): { ok: number; failed: number } {
  const n = (label: string) =>
    Number(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`).exec(output)?.[1] ?? 0);
  return { ok: n('Successful call'), failed: n('Failed call') };
}

/** Runs `uac` calls against `sys` and its sipp target; returns wall seconds, CPU µs of this process, tallies. */
async function drive(
  sys: System,
  calls: number,
  uac: { holdMs: number; rate: number; limit: number; pcap?: boolean },
) {
  const uas = await sipp(uasScenario('answer'), {
    port: sys.uasPort,
    calls,
    extra: uac.pcap ? ['-rtp_echo'] : [],
    timeoutS: 300,
  });
  await new Promise((r) => setTimeout(r, 300));
  const profiler = process.env.BENCH_SIP_PROFILE ? await startProfile() : undefined;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const run = await sipp(
    uacScenario({
      to: sys.dial,
      holdMs: uac.holdMs,
      hangup: 'caller',
      ...(uac.pcap ? { codecs: '8', pcap: 'g711a.pcap' } : {}),
    }),
    {
      target: `127.0.0.1:${sys.port}`,
      calls,
      rate: uac.rate,
      limit: uac.limit,
      files: uac.pcap ? ['/usr/share/sip-tester/g711a.pcap'] : [],
      timeoutS: 300,
    },
  );
  const r = await run.exited;
  // Up to the last answer (or, with no B2BUA to count them, the last caller's hang-up less its hold).
  const end = sys.driver ? sys.lastAnswerAt() : performance.now() - uac.holdMs;
  const seconds = (end - started) / 1000;
  const used = process.cpuUsage(cpu);
  if (profiler) await profiler.stop(`${process.env.BENCH_SIP_PROFILE}-${sys.name.split(' ')[0]}.cpuprofile`);
  uas.kill();
  if (sys.records) console.log(`  (${await sys.records()})`);
  const tally = sippTally(r.output);
  if (process.env.BENCH_DEBUG) console.log(r.output);
  return { seconds, cpuUs: used.user + used.system, tally };
}

/**
 * BENCH_SIP_PROFILE=<path prefix>: a CPU profile of this process while the calls run (start-up left
 * out, unlike `node --cpu-prof`); read it with bench/lib/profile-summary.ts.
 */
async function startProfile() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
      console.log(`  (profile written to ${file})`);
    },
  };
}

async function start(name: string): Promise<System> {
  return name === 'engine' ? engine() : name === 'forwarder' ? forwarder() : direct();
}

async function setups(name: string) {
  const sys = await start(name);
  // The engine answers the caller first (as Retreaver does), then dials: a caller must stay long
  // enough for its target to answer, so every system's callers hold for SETUP_HOLD_MS.
  const { seconds, cpuUs, tally } = await drive(sys, CALLS, {
    holdMs: SETUP_HOLD_MS,
    rate: RATE,
    limit: 5000,
  });
  await sys.stop();
  const answered = sys.driver ? sys.answered() : tally.ok;
  line(
    `set-ups/s, ${sys.name}`,
    answered / seconds,
    'calls/s',
    '≥ 1000',
    name === 'engine' ? answered / seconds >= 1000 : null,
    `${answered}/${CALLS} answered, ${tally.failed} failed at sipp; ${sys.driver ? `${perCall(cpuUs, answered)} µs CPU/answered call; ` : ''}load ${load()}`,
  );
}

async function concurrent(name: string) {
  const sys = await start(name);
  const holdMs = Math.ceil(CONCURRENT / CONCURRENT_RATE) * 1000 + 4000;
  const { cpuUs, tally } = await drive(sys, CONCURRENT, {
    holdMs,
    rate: CONCURRENT_RATE,
    limit: CONCURRENT,
  });
  await sys.stop();
  line(
    `calls up at once, ${sys.name}`,
    sys.peak(),
    'calls',
    `${CONCURRENT}`,
    name === 'engine' ? sys.peak() >= CONCURRENT : null,
    `${tally.ok} ok, ${tally.failed} failed at sipp; ${perCall(cpuUs, sys.answered())} µs CPU/answered call; load ${load()}`,
  );
}

async function relay(name: string) {
  const calls = Math.ceil(RELAY_LEGS / 2);
  const sys = await start(name);
  const media = sys.driver!.media as NodeMediaEngine;
  media.intervals.length = 0;
  const { seconds, cpuUs, tally } = await drive(sys, calls, {
    holdMs: 6000,
    rate: 200,
    limit: calls,
    pcap: true,
  });
  const iv = [...media.intervals].sort((a, b) => a - b);
  const p99 = iv[Math.floor(iv.length * 0.99)] ?? Number.NaN;
  const relayed = media.relayed;
  await sys.stop();
  const legs = sys.peak() * 2;
  const ref = name !== 'engine';
  line(`relayed legs at once, ${sys.name}`, legs, 'legs', `≥ ${RELAY_LEGS}`, ref ? null : legs >= RELAY_LEGS);
  line(
    `RTP interval p99, ${sys.name}`,
    p99,
    'ms',
    '< 25',
    ref ? null : p99 < 25,
    `${relayed} packets relayed in ${seconds.toFixed(1)} s; ${tally.failed} failed at sipp; ${perCall(cpuUs, sys.answered())} µs CPU/answered call; load ${load()}`,
  );
}

const only = process.argv[3];
console.log(
  `bench/sip on ${os.cpus().length} cores, load average ${load()} (shared machine: compare with the reference lines)`,
);
for (const [phase, fn, systems] of [
  ['setups', setups, SYSTEMS],
  ['concurrent', concurrent, SYSTEMS.filter((s) => s !== 'direct')],
  ['relay', relay, SYSTEMS.filter((s) => s !== 'direct')],
] as const) {
  if (only && only !== phase) continue;
  console.log(phase);
  for (const s of systems) await fn(s);
}
process.exit(0);
