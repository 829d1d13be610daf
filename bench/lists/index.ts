/**
 * List endpoints over real HTTP: `npm run bench -- lists` (BENCH_DB=postgres for PostgreSQL).
 *
 * One company with 25 targets (caps, some filled, business hours, tags), 25 campaigns, 25 numbers and
 * 2,000 calls. For each list, a load client in another process keeps 10 keep-alive connections busy
 * against Switchboard, then against a bare Fastify answering the very same bytes; the ratio of the two
 * throughputs is what Switchboard's own work costs. BENCH_ONLY=<text> runs the cases whose name has it. Targets: ≥ 40 % of the reference on SQLite,
 * ≥ 25 % on PostgreSQL.
 */
import { load } from '../lib/load.js';
import { emitPair, machine } from '../lib/report.js';
import { record, startReference, startSwitchboard } from '../lib/servers.js';
import { LIST_CASES, seedLists } from './seed.js';

const CONNECTIONS = 10;
const sb = await startSwitchboard();
const target = { ratio: sb.db === 'postgres' ? 0.25 : 0.4 };
try {
  await seedLists(sb);
  console.log(`lists over HTTP, ${CONNECTIONS} connections, ${sb.db}; ${machine()}`);
  const cases = LIST_CASES;
  const only = process.env.BENCH_ONLY;
  for (const [name, p] of cases.filter(([n]) => !only || n.includes(only))) {
    const path = `${p}${p.includes('?') ? '&' : '?'}api_key=${sb.key}`;
    const recorded = await record(sb.url, [path]);
    const ref = await startReference(recorded);
    try {
      const mine = await load({ url: sb.url, paths: [path], connections: CONNECTIONS });
      const theirs = await load({ url: ref.url, paths: [path], connections: CONNECTIONS });
      emitPair('lists', name, sb.db, mine, theirs, target);
    } finally {
      await ref.close();
    }
  }
} finally {
  await sb.close();
}
