/**
 * Work per sim call set-up, independent of the machine's load: `npx tsx bench/sim-calls/work.ts`
 * (BENCH_DB=postgres for PostgreSQL). `POST /sim/calls` through `inject()` in batches of 50 after a
 * warm-up; prints SQL statements per set-up (by statement) and CPU per set-up. BENCH_PROFILE=file
 * writes a CPU profile of the measured set-ups.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { ManualClock } from '../../src/clock.js';
import { countQueries } from '../lib/count-queries.js';
import { machine } from '../lib/report.js';
import { startSwitchboard } from '../lib/servers.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const BATCH = 50;

const sb = await startSwitchboard({ clock: new ManualClock() });
try {
  const targetIds: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = await sb.api('POST', '/targets.json', {
      target: { number: `+1415555${1000 + i}`, name: `t${i}` },
    });
    targetIds.push(t.target.id);
  }
  const { campaign } = await sb.api('POST', '/campaigns.json', {
    campaign: { name: 'bench', target_ids: targetIds },
  });
  const { number } = await sb.api('POST', '/numbers.json', { number: { afid: 'bench', cid: campaign.cid } });
  let n = 0;
  const place = () =>
    sb.app.http.inject({
      method: 'POST',
      url: `/sim/calls?api_key=${sb.key}`,
      payload: { from: `+13025${String(n++).padStart(6, '0')}`, to: number.number },
    });
  const run = async (count: number) => {
    for (let i = 0; i < count; i += BATCH) {
      const answers = await Promise.all(Array.from({ length: BATCH }, place));
      const bad = answers.find((a) => a.statusCode >= 300);
      if (bad) throw new Error(`POST /sim/calls answered ${bad.statusCode}: ${bad.body}`);
    }
  };
  await run(200);
  const counter = countQueries(sb.app.store.db);
  const session = process.env.BENCH_PROFILE ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(CALLS);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  counter.stop();
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
    session.disconnect();
  }
  console.log(`sim call set-up work, ${sb.db}, ${CALLS} set-ups through inject(); ${machine()}`);
  console.log(
    `  ${(counter.total() / CALLS).toFixed(2)} SQL statements per set-up, CPU ${((cpu.user + cpu.system) / CALLS).toFixed(0)} µs, wall ${((wall * 1000) / CALLS).toFixed(0)} µs per set-up`,
  );
  for (const [text, count] of [...counter.bySql].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`  ${(count / CALLS).toFixed(3).padStart(7)}  ${text.replace(/\s+/g, ' ').slice(0, 200)}`);
} finally {
  await sb.close();
}
