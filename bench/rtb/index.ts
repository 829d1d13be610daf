/**
 * RTB ping latency: `npm run bench -- rtb` (BENCH_DB=postgres for PostgreSQL).
 *
 * Switchboard (real clock) listens on 127.0.0.1 with one campaign routing to 1,000 targets (some
 * paused, some tagged) and a pre-filled number pool. A load client in another process sends
 * `POST /rtbs.json` pings open-loop at a fixed rate over keep-alive HTTP (1 in 10 repeats the caller
 * before it, which the ping shield answers), latency counted from when each ping was due; then the same
 * load against a bare Fastify answering the same bytes. Targets: p99 < 10 ms at 1,000 pings/s; the
 * second step (BENCH_RTB_HIGH, default 2,000/s) shows whether p99 stays under 50 ms.
 */
import { load } from '../lib/load.js';
import { emitPair, machine } from '../lib/report.js';
import { record, startReference, startSwitchboard } from '../lib/servers.js';
import { seed, TARGETS } from './seed.js';

const RATE = Number(process.env.BENCH_RTB_RATE ?? 1000);
const HIGH = Number(process.env.BENCH_RTB_HIGH ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const sb = await startSwitchboard();
try {
  const key = await seed(sb, Math.max(RATE, HIGH));
  console.log(`RTB pings over HTTP, ${TARGETS} targets, ${sb.db}; ${machine()}`);
  // Callers +1301 5nnnnnn; states rotate so tagged targets match some pings and not others.
  const path = `/rtbs.json?key=${key}&publisher_id=bench_pub&caller_number=%2B13015{n6}&state=CA`;
  const recorded = await record(sb.url, [path.replace('{n6}', '999999')], { method: 'POST' });
  const ref = await startReference(recorded, 'POST');
  try {
    for (const [rate, p99] of [
      [RATE, 10],
      [HIGH, 50],
    ]) {
      const opts = {
        paths: [path],
        method: 'POST',
        connections: 64,
        rate,
        repeatEvery: 10,
        seconds: SECONDS,
      };
      // Each step its own callers: a caller of the first step would still be shielded in the second.
      const mine = await load({
        url: sb.url,
        ...opts,
        paths: [path.replace('5{n6}', rate === RATE ? '5{n6}' : '6{n6}')],
      });
      const theirs = await load({ url: ref.url, ...opts });
      emitPair('rtb', `POST /rtbs.json open loop at ${rate}/s`, sb.db, mine, theirs, { p99 });
      console.log(
        `  achieved ${Math.round(mine.rps)}/s, answers ${JSON.stringify(mine.statuses)}, max ${mine.max.toFixed(1)} ms`,
      );
    }
  } finally {
    await ref.close();
  }
  const rows = await sb.app.store.db.selectFrom('reservations').select(['status']).execute();
  const byStatus: Record<string, number> = {};
  for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  console.log(`reservations stored: ${JSON.stringify(byStatus)}`);
} finally {
  await sb.close();
}
