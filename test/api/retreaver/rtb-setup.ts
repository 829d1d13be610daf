import { expect } from 'vitest';
import type { TestApp } from '../../helpers/app.js';

/** Builds what a ping needs: a publisher, buyers on a campaign, a number pool and a postback key. */
export async function rtbSetup(
  t: TestApp,
  opts: {
    targets?: Record<string, unknown>[];
    pool?: Record<string, unknown> | null;
    key?: Record<string, unknown>;
    cid?: string;
  } = {},
) {
  const ok = async (path: string, wrap: string, body: Record<string, unknown>) => {
    const res = await t.api('POST', path, { [wrap]: body });
    expect(res.status, res.text).toBe(201);
    return res.body[wrap];
  };
  const afid = 'retreaver_pub';
  const existing = await t.api('GET', `/affiliates/afid/${afid}.json`);
  if (existing.status !== 200) await ok('/affiliates.json', 'affiliate', { afid });
  const targets = [];
  for (const attrs of opts.targets ?? [{}]) {
    targets.push(
      await ok('/targets.json', 'target', { number: `+1415555${1000 + targets.length}`, ...attrs }),
    );
  }
  const cid = opts.cid ?? 'rtb1';
  const campaign = await ok('/campaigns.json', 'campaign', {
    cid,
    name: 'RTB',
    target_ids: targets.map((x) => x.id),
    timers_attributes: [],
  });
  const pool =
    opts.pool === null
      ? null
      : await ok('/number_pools.json', 'number_pool', {
          cid,
          max_pool_size: 3,
          reserve_size: 0,
          ...opts.pool,
        });
  const key = await ok(`/campaigns/cid/${cid}/postback_keys.json`, 'postback_key', { ...opts.key });
  return { afid, targets, campaign, pool, key: key.key as string, postbackKey: key };
}

/** A ping as the seed sends it: parameters in the query string, POST with no body. */
export async function ping(t: TestApp, params: Record<string, string>, path = '/rtbs.json') {
  const qs = Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return t.api('POST', `${path}?${qs}`, undefined, { key: null });
}

export const CALLER = '+18558485518';
