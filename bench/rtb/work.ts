/**
 * Work per RTB ping, independent of the machine's load: `npx tsx bench/rtb/work.ts` (BENCH_DB=postgres
 * for PostgreSQL, BENCH_REDIS=redis://… for the live state on Redis). Sends pings through `inject()`
 * (no socket) in batches of 20 after a warm-up and prints the SQL statements (and Redis commands) per
 * ping and the CPU time per ping. BENCH_PROFILE=file.cpuprofile writes a CPU profile of the measured
 * pings only (summary: `npx tsx bench/lib/profile-summary.ts file`).
 */
import { measureWork } from '../lib/count-queries.js';
import { startSwitchboard } from '../lib/servers.js';
import { seed } from './seed.js';

const PINGS = Number(process.env.BENCH_PINGS ?? 2000);

const sb = await startSwitchboard();
try {
  const key = await seed(sb, 1000);
  let n = 0;
  await measureWork({
    db: sb.app.store.db,
    title: `RTB ping work, ${sb.db}${sb.redis ? ' + Redis' : ''}, ${PINGS} pings through inject()`,
    unit: 'ping',
    warmUp: 500,
    count: PINGS,
    batch: 20,
    redis: sb.redis,
    operation: async () => {
      n++;
      // Every 10th ping repeats its caller (the ping shield answers it), as in bench/rtb.
      const caller = n % 10 === 0 ? n - 1 : n;
      const a = await sb.app.http.inject({
        method: 'POST',
        url: `/rtbs.json?key=${key}&publisher_id=bench_pub&caller_number=%2B13015${String(caller).padStart(6, '0')}&state=CA`,
      });
      if (a.statusCode !== 200) throw new Error(`ping answered ${a.statusCode}: ${a.body}`);
    },
  });
} finally {
  await sb.close();
}
