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
import { seedCalls } from '../lib/seed-calls.js';
import { record, startReference, startSwitchboard } from '../lib/servers.js';

const CONNECTIONS = 10;
const sb = await startSwitchboard();
const target = { ratio: sb.db === 'postgres' ? 0.25 : 0.4 };
try {
  const ids: number[] = [];
  for (let i = 0; i < 25; i++) {
    const { target: t } = await sb.api('POST', '/targets.json', {
      target: {
        number: `+1415555${String(1000 + i)}`,
        name: `Target ${i}`,
        tid: `t${i}`,
        concurrency_cap: i % 3 ? 5 : null,
        time_zone: 'Eastern Time (US & Canada)',
        tag_list: i % 2 ? `<<<state:CA,NY>>><<<source:tv>>>` : '',
        daily_cap_attributes: { cap: 100 },
        business_hours_attributes: [1, 2, 3, 4, 5].map((d) => ({
          day_of_week: d,
          time_open: 900,
          time_close: 1700,
        })),
      },
    });
    ids.push(t.id);
  }
  for (let i = 0; i < 25; i++) {
    const { campaign } = await sb.api('POST', '/campaigns.json', {
      campaign: { name: `Campaign ${i}`, cid: `c${i}`, target_ids: ids.slice(0, 5 + (i % 10)) },
    });
    await sb.api('POST', '/numbers.json', { number: { afid: `a${i}`, cid: campaign.cid } });
  }
  const company = await sb.app.store.db
    .selectFrom('companies')
    .select('id')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  await seedCalls(sb.app.store.db, sb.db === 'postgres', 2000, [company.id]);

  console.log(`lists over HTTP, ${CONNECTIONS} connections, ${sb.db}; ${machine()}`);
  const cases: [string, string][] = [
    ['GET /targets.json (25)', '/targets.json'],
    ['GET /campaigns.json (25)', '/campaigns.json'],
    ['GET /numbers.json (25)', '/numbers.json'],
    ['GET /calls.json page 2 (of 2,000)', '/calls.json?page=2'],
    ['GET /targets.xml (25)', '/targets.xml'],
  ];
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
