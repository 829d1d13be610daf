import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, openStore } from '../../src/store/db.js';

/**
 * Issue 10 item 5 / issue 9 item 5: a process killed with SIGKILL mid-call loses at most 5 s of the
 * call's talk time, and its restart ends the call with its end events, as any ended call.
 */
const databaseUrl = process.env.DATABASE_URL;
const schema = databaseUrl ? `t_${randomBytes(6).toString('hex')}` : undefined;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-kill-'));
const key = `kill-key-${randomBytes(8).toString('hex')}`;
const env = {
  ...process.env,
  DATA_DIR: dataDir,
  SWITCHBOARD_API_KEY: key,
  SWITCHBOARD_CLOCK: 'manual',
  NODE_ID: 'node-under-test',
  RATE_LIMIT_PER_MINUTE: '100000',
  ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema } : {}),
};

async function start(): Promise<{
  child: ChildProcess;
  api: (method: string, url: string, body?: unknown) => Promise<any>;
}> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures/child-app.ts')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (d) => {
    errors += String(d);
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line).port);
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code}: ${errors}`)));
  });
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}${url}${url.includes('?') ? '&' : '?'}api_key=${key}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${text}`);
    return JSON.parse(text);
  };
  return { child, api };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.on('exit', () => resolve());
  });
}

afterAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (databaseUrl && schema) await dropSchema(databaseUrl, schema);
});

describe('kill -9 mid-call', () => {
  it('keeps the talk time to within 5 s and fires the end events after the restart', {
    timeout: 120_000,
  }, async () => {
    const first = await start();
    const target = await first.api('POST', '/targets.json', {
      target: { number: '+14155550001', name: 'A' },
    });
    const campaign = await first.api('POST', '/campaigns.json', {
      campaign: { name: 'k', target_ids: [target.target.id] },
    });
    const cid = campaign.campaign.cid;
    await first.api('POST', `/campaigns/cid/${cid}/webhooks.json`, {
      webhook: { name: 'ended', url: 'https://hooks.example.com/ended', events: ['call_ended'] },
    });
    const number = (await first.api('POST', '/numbers.json', { number: { afid: 'p', cid } })).number.number;
    await first.api('POST', '/sim/endpoints', { number: '+14155550001', answer_after_s: 1 });
    const call = await first.api('POST', '/sim/calls', { from: '+13015550123', to: number });
    // Connected after 1 s, then 13 s of talk; checkpoints at 5 s and 10 s of the call.
    await first.api('POST', '/sim/clock/advance', { seconds: 1 });
    for (let i = 0; i < 13; i++) await first.api('POST', '/sim/clock/advance', { seconds: 1 });
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = await start();
    second.child.kill('SIGTERM');
    await exited(second.child);

    const store = await openStore({
      databaseUrl,
      schema,
      sqliteFile: path.join(dataDir, 'switchboard.sqlite'),
    });
    try {
      const db = store.db;
      const r = await db
        .selectFrom('calls')
        .selectAll()
        .where('uuid', '=', call.call_uuid)
        .executeTakeFirstOrThrow();
      expect(r).toMatchObject({ status: 'finished', hung_up_by: 'system', end_reason: 'process restarted' });
      const talk = 13;
      expect(r.dialed_call_duration).toBeLessThanOrEqual(talk);
      expect(r.dialed_call_duration).toBeGreaterThanOrEqual(talk - 5);
      expect(r.total_duration).toBe(Math.round((r.end_time! - r.start_time) / 1000));
      expect(r.conversions_determined_at).toBe(r.end_time);
      const legs = await db
        .selectFrom('call_legs')
        .selectAll()
        .where('call_uuid', '=', call.call_uuid)
        .execute();
      for (const l of legs) expect(l.ended_at).not.toBeNull();
      expect(legs.find((l) => l.direction === 'outbound')).toMatchObject({ end_reason: 'process restarted' });
      const deliveries = await db
        .selectFrom('deliveries')
        .selectAll()
        .where('call_uuid', '=', call.call_uuid)
        .execute();
      expect(deliveries.map((d) => JSON.parse(d.body ?? '{}').event)).toEqual(['call_ended']);
      expect(JSON.parse(deliveries[0].body!).call).toMatchObject({
        status: 'finished',
        dialed_call_duration: r.dialed_call_duration,
      });
    } finally {
      await store.close();
    }
  });
});
