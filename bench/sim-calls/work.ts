/**
 * Work per sim call set-up, independent of the machine's load: `npx tsx bench/sim-calls/work.ts`
 * (BENCH_DB=postgres for PostgreSQL, BENCH_REDIS=redis://… for the live state on Redis).
 * `POST /sim/calls` through `inject()` in batches of 50 after a warm-up; prints SQL statements (and
 * Redis commands) per set-up and CPU per set-up. BENCH_PROFILE=file writes a CPU profile of the
 * measured set-ups.
 */
import { ManualClock } from '../../src/clock.js';
import { measureWork } from '../lib/count-queries.js';
import { startSwitchboard } from '../lib/servers.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);

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
  await measureWork({
    db: sb.app.store.db,
    title: `sim call set-up work, ${sb.db}${sb.redis ? ' + Redis' : ''}, ${CALLS} set-ups through inject()`,
    unit: 'set-up',
    warmUp: 200,
    count: CALLS,
    batch: 50,
    redis: sb.redis,
    operation: async () => {
      const a = await sb.app.http.inject({
        method: 'POST',
        url: `/sim/calls?api_key=${sb.key}`,
        payload: { from: `+13025${String(n++).padStart(6, '0')}`, to: number.number },
      });
      if (a.statusCode >= 300) throw new Error(`POST /sim/calls answered ${a.statusCode}: ${a.body}`);
    },
  });
} finally {
  await sb.close();
}
