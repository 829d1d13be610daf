/**
 * The RTB benchmarks' world: one campaign routing to 1,000 targets (some paused, some tagged), a
 * publisher, a conversion rule, a pool pre-filled with enough numbers for `rate` pings/s and a postback key.
 */
import type { BenchServer } from '../lib/servers.js';

export const TARGETS = 1000;

/** 1,000 targets on one campaign, a publisher, a pool with enough numbers for the run, a postback key. */
export async function seed(sb: BenchServer, rate: number): Promise<string> {
  const ids: number[] = [];
  for (let i = 0; i < TARGETS; i++) {
    const attrs: Record<string, unknown> = {
      number: `+1415${String(2000000 + i)}`,
      priority: i % 5,
      weight: 1 + (i % 7),
    };
    if (i % 10 === 0) attrs.paused = true;
    if (i % 5 === 1) attrs.tag_list = `<<<state:${['CA', 'NY', 'TX'][i % 3]}>>>`;
    ids.push((await sb.api('POST', '/targets.json', { target: attrs })).target.id);
  }
  await sb.api('POST', '/affiliates.json', { affiliate: { afid: 'bench_pub' } });
  const { campaign } = await sb.api('POST', '/campaigns.json', {
    campaign: { cid: 'rtbbench', name: 'rtb', target_ids: ids },
  });
  await sb.api('POST', `/campaigns/cid/${campaign.cid}/conversion_rules.json`, {
    conversion_rule: { seconds: 60, payout: 5 },
  });
  const { number_pool: pool } = await sb.api('POST', '/number_pools.json', {
    number_pool: { cid: campaign.cid, max_pool_size: 100_000, reserve_size: 0 },
  });
  // Reservations live 5 s, so about 5 × rate numbers are held at once; fill the pool up front.
  const company = await sb.app.store.db
    .selectFrom('companies')
    .select('id')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const now = Date.now();
  const numbers = Array.from({ length: 6 * rate + 1000 }, (_, i) => ({
    company_id: company.id,
    number: `+1800${String(2000000 + i)}`,
    toll_free: 1,
    country: 'US',
    campaign_id: campaign.id,
    affiliate_id: null,
    sid: null,
    number_pool_id: pool.id,
    greeting_overridden: 0,
    greeting_message: null,
    greeting_voice_gender: null,
    greeting_audio_id: null,
    repeat: null,
    timers_overridden: 0,
    menu_overridden: 0,
    created_at: now,
    updated_at: now,
  }));
  for (let i = 0; i < numbers.length; i += 500) {
    await sb.app.store.db
      .insertInto('numbers')
      .values(numbers.slice(i, i + 500))
      .execute();
  }
  const k = await sb.api('POST', `/campaigns/cid/${campaign.cid}/postback_keys.json`, {
    postback_key: { reservation_seconds: 5 },
  });
  return k.postback_key.key;
}
