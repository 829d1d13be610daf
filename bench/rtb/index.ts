/**
 * RTB ping latency: `npm run bench -- rtb`.
 *
 * A server (this process, SQLite file, system clock) listens on 127.0.0.1 with one campaign routing to
 * 1,000 targets (some paused, some tagged) and a pre-filled number pool. A second process sends
 * `POST /rtbs.json` pings open-loop at a fixed rate over keep-alive HTTP (about 1 in 10 repeats a recent
 * caller, which the ping shield answers) and reports the achieved rate and p50/p95/p99 latency.
 * Target: p99 < 10 ms at 1,000 pings/s. BENCH_RTB_RATE and BENCH_RTB_SECONDS override the load.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RATE = Number(process.env.BENCH_RTB_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_RTB_SECONDS ?? 15);
const WARMUP_SECONDS = 3;
const TARGETS = 1000;
const P99_TARGET_MS = 10;

if (process.env.BENCH_RTB_ROLE === 'client') await client();
else await server();

async function server() {
  const { buildApp } = await import('../../src/app.js');
  const { loadConfig } = await import('../../src/config.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-rtb-'));
  const apiKey = 'bench-key';
  const app = await buildApp({
    config: loadConfig({ DATA_DIR: dir, SWITCHBOARD_API_KEY: apiKey, RATE_LIMIT_PER_MINUTE: '0' }),
    logger: false,
  });
  const key = await seed(app, apiKey);
  const address = await app.http.listen({ host: '127.0.0.1', port: 0 });
  console.log(
    `server ${address}: ${TARGETS} targets; pinging at ${RATE}/s for ${SECONDS} s (+${WARMUP_SECONDS} s warm-up)`,
  );
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BENCH_RTB_ROLE: 'client', BENCH_RTB_URL: address, BENCH_RTB_KEY: key },
    execArgv: process.execArgv,
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  const rows = await app.store.db.selectFrom('reservations').select(['status']).execute();
  const byStatus: Record<string, number> = {};
  for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  console.log(`reservations stored:  ${JSON.stringify(byStatus)}`);
  await app.close();
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = code;
}

type App = Awaited<ReturnType<typeof import('../../src/app.js').buildApp>>;

/** 1,000 targets on one campaign, a publisher, a pool with enough numbers for the run, a postback key. */
async function seed(app: App, apiKey: string): Promise<string> {
  const api = async (url: string, body: unknown) => {
    const res = await app.http.inject({
      method: 'POST',
      url: `${url}?api_key=${apiKey}`,
      payload: body as object,
    });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.body}`);
    return res.json();
  };
  const ids: number[] = [];
  for (let i = 0; i < TARGETS; i++) {
    const attrs: Record<string, unknown> = {
      number: `+1415${String(2000000 + i)}`,
      priority: i % 5,
      weight: 1 + (i % 7),
    };
    if (i % 10 === 0) attrs.paused = true;
    if (i % 5 === 1) attrs.tag_list = `<<<state:${['CA', 'NY', 'TX'][i % 3]}>>>`;
    ids.push((await api('/targets.json', { target: attrs })).target.id);
  }
  await api('/affiliates.json', { affiliate: { afid: 'bench_pub' } });
  const { campaign } = await api('/campaigns.json', {
    campaign: { cid: 'rtbbench', name: 'rtb', target_ids: ids },
  });
  await api(`/campaigns/cid/${campaign.cid}/conversion_rules.json`, {
    conversion_rule: { seconds: 60, payout: 5 },
  });
  const { number_pool: pool } = await api('/number_pools.json', {
    number_pool: { cid: campaign.cid, max_pool_size: 100_000, reserve_size: 0 },
  });
  // Reservations live 5 s, so about 5 × RATE numbers are held at once; fill the pool up front.
  const now = Date.now();
  const numbers = Array.from({ length: 6 * RATE + 1000 }, (_, i) => ({
    company_id: 1,
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
    await app.store.db
      .insertInto('numbers')
      .values(numbers.slice(i, i + 500))
      .execute();
  }
  const k = await api(`/campaigns/cid/${campaign.cid}/postback_keys.json`, {
    postback_key: { reservation_seconds: 5 },
  });
  return k.postback_key.key;
}

/** Open loop: ping i is due at start + i / RATE whatever the answers; latency counts from the send. */
async function client() {
  const { Pool } = await import('undici');
  const pool = new Pool(process.env.BENCH_RTB_URL!, { connections: 64, pipelining: 1 });
  const key = process.env.BENCH_RTB_KEY!;
  const total = RATE * (SECONDS + WARMUP_SECONDS);
  const warm = RATE * WARMUP_SECONDS;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let done = 0;
  let sent = 0;
  let measuredStart = 0;
  let measuredEnd = 0;
  const zips = ['CA', 'NY', 'TX', 'FL'];

  const one = async (i: number) => {
    // One ping in ten repeats the caller of the ping before (still reserved: the shield answers).
    const n = i % 10 === 9 ? i - 1 : i;
    const caller = `%2B1301${String(2000000 + n).padStart(7, '0')}`;
    const url = `/rtbs.json?key=${key}&publisher_id=bench_pub&caller_number=${caller}&state=${zips[i % 4]}`;
    const t0 = performance.now();
    try {
      const res = await pool.request({ path: url, method: 'POST' });
      const body = (await res.body.json()) as { status?: string; retreaver_ping_shield?: boolean };
      const label =
        res.statusCode === 200
          ? `${body.status}${body.retreaver_ping_shield ? ' (shield)' : ''}`
          : `http ${res.statusCode}`;
      if (i >= warm) {
        latencies.push(performance.now() - t0);
        statuses[label] = (statuses[label] ?? 0) + 1;
      }
    } catch {
      errors++;
    }
    done++;
    if (i >= warm) measuredEnd = performance.now();
  };

  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE));
      while (sent < due) {
        if (sent === warm) measuredStart = performance.now();
        void one(sent++);
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  while (done < total) await new Promise((r) => setTimeout(r, 5));
  await pool.close();

  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  const achieved = latencies.length / ((measuredEnd - measuredStart) / 1000);
  const p99 = q(0.99);
  console.log(`pings measured:       ${latencies.length} (errors ${errors})`);
  console.log(`answers:              ${JSON.stringify(statuses)}`);
  console.log(`achieved rate:        ${achieved.toFixed(0)} pings/s (asked ${RATE}/s)`);
  console.log(
    `latency p50/p95/p99:  ${q(0.5).toFixed(2)} / ${q(0.95).toFixed(2)} / ${p99.toFixed(2)} ms; max ${latencies[latencies.length - 1].toFixed(2)} ms`,
  );
  const pass = p99 < P99_TARGET_MS && achieved >= RATE * 0.98 && errors === 0;
  console.log(`p99 target < ${P99_TARGET_MS} ms at ${RATE}/s: ${pass ? 'PASS' : 'FAIL'}`);
  process.exit(pass ? 0 : 1);
}
