/**
 * The lists benchmarks' company: 25 targets (caps, some filled, business hours, tags), 25 campaigns,
 * 25 numbers and 2,000 calls — shared by `index.ts` (over HTTP) and `work.ts` (CPU per request).
 */
import { seedCalls } from '../lib/seed-calls.js';
import type { BenchServer } from '../lib/servers.js';

export async function seedLists(sb: BenchServer): Promise<void> {
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
}

/** The lists measured, with their paths (without the key). */
export const LIST_CASES: [string, string][] = [
  ['GET /targets.json (25)', '/targets.json'],
  ['GET /campaigns.json (25)', '/campaigns.json'],
  ['GET /numbers.json (25)', '/numbers.json'],
  ['GET /calls.json page 2 (of 2,000)', '/calls.json?page=2'],
  ['GET /targets.xml (25)', '/targets.xml'],
];
