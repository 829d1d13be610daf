/**
 * Work per list request, independent of the machine's load: `npx tsx bench/lists/work.ts`
 * (BENCH_DB=postgres). Each list of `npm run bench -- lists` through `inject()`: SQL statements and
 * process CPU per request. BENCH_PROFILE=dir writes a CPU profile of each (`<dir>/<n>.cpuprofile`,
 * read with bench/lib/profile-summary.ts); BENCH_ONLY=<text> runs the cases whose name has it.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { countQueries } from '../lib/count-queries.js';
import { machine } from '../lib/report.js';
import { startSwitchboard } from '../lib/servers.js';
import { timeQueries } from '../lib/time-queries.js';
import { LIST_CASES, seedLists } from './seed.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const sb = await startSwitchboard();
try {
  await seedLists(sb);
  console.log(`list work, ${sb.db}; ${machine()}`);
  const only = process.env.BENCH_ONLY;
  for (const [i, [name, p]] of LIST_CASES.entries()) {
    if (only && !name.includes(only)) continue;
    const url = `${p}${p.includes('?') ? '&' : '?'}api_key=${sb.key}`;
    const get = () => sb.app.http.inject({ method: 'GET', url });
    for (let w = 0; w < 50; w++) await get();
    const counter = countQueries(sb.app.store.db);
    const timer = process.env.BENCH_SQL ? timeQueries(sb.app.store.db) : undefined;
    const dir = process.env.BENCH_PROFILE;
    const profile = dir ? new Session() : undefined;
    if (profile) {
      profile.connect();
      await profile.post('Profiler.enable');
      await profile.post('Profiler.start');
    }
    const cpu0 = process.cpuUsage();
    for (let r = 0; r < REQUESTS; r++) {
      const res = await get();
      if (res.statusCode !== 200) throw new Error(`${p}: ${res.statusCode} ${res.body}`);
    }
    const cpu = process.cpuUsage(cpu0);
    counter.stop();
    timer?.stop();
    if (profile && dir) {
      const { profile: data } = await profile.post('Profiler.stop');
      writeFileSync(path.join(dir, `${i}.cpuprofile`), JSON.stringify(data));
      profile.disconnect();
    }
    console.log(
      `${name}: ${(counter.total() / REQUESTS).toFixed(1)} statements, CPU ${((cpu.user + cpu.system) / REQUESTS).toFixed(0)} µs per request`,
    );
    for (const [q, { n, us }] of timer?.bySql ?? [])
      console.log(`  ${n / REQUESTS}× ${(us / n).toFixed(0).padStart(5)} µs  ${q.slice(0, 140)}`);
  }
} finally {
  await sb.close();
}
