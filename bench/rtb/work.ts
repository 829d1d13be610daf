/**
 * Work per RTB ping, independent of the machine's load: `npx tsx bench/rtb/work.ts` (BENCH_DB=postgres
 * for PostgreSQL). Sends pings through `inject()` (no socket) in batches of 20 after a warm-up and prints
 * the SQL statements per ping (by statement) and the CPU time per ping. BENCH_PROFILE=file.cpuprofile
 * writes a CPU profile of the measured pings only (summary: `npx tsx bench/lib/profile-summary.ts file`).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { countQueries } from '../lib/count-queries.js';
import { machine } from '../lib/report.js';
import { startSwitchboard } from '../lib/servers.js';
import { seed } from './seed.js';

const PINGS = Number(process.env.BENCH_PINGS ?? 2000);
const BATCH = 20;

const sb = await startSwitchboard();
try {
  const key = await seed(sb, 1000);
  let n = 0;
  const ping = () => {
    n++;
    // Every 10th ping repeats its caller (the ping shield answers it), as in bench/rtb.
    const caller = n % 10 === 0 ? n - 1 : n;
    return sb.app.http.inject({
      method: 'POST',
      url: `/rtbs.json?key=${key}&publisher_id=bench_pub&caller_number=%2B13015${String(caller).padStart(6, '0')}&state=CA`,
    });
  };
  const run = async (count: number) => {
    for (let i = 0; i < count; i += BATCH) {
      const answers = await Promise.all(Array.from({ length: BATCH }, ping));
      const bad = answers.find((a) => a.statusCode !== 200);
      if (bad) throw new Error(`ping answered ${bad.statusCode}: ${bad.body}`);
    }
  };
  await run(500);
  const counter = countQueries(sb.app.store.db);
  const session = process.env.BENCH_PROFILE ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(PINGS);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  counter.stop();
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
    session.disconnect();
  }
  console.log(`RTB ping work, ${sb.db}, ${PINGS} pings through inject(); ${machine()}`);
  console.log(
    `  ${(counter.total() / PINGS).toFixed(2)} SQL statements per ping, CPU ${((cpu.user + cpu.system) / PINGS).toFixed(0)} µs per ping, wall ${((wall * 1000) / PINGS).toFixed(0)} µs per ping`,
  );
  for (const [text, count] of [...counter.bySql].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`  ${(count / PINGS).toFixed(3).padStart(7)}  ${text.replace(/\s+/g, ' ').slice(0, 220)}`);
} finally {
  await sb.close();
}
