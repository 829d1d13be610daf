import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from './helpers/server.js';

const KEY = 'shutdown-test-key-0123456789';

let server: { child: ChildProcess } | undefined;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-shutdown-'));
afterAll(() => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// The child server runs on SQLite whatever DATABASE_URL says; CI's PostgreSQL pass would only repeat it.
describe.skipIf(process.env.DATABASE_URL)('SIGTERM with live calls', () => {
  it('refuses new work, lets calls finish for the drain time, ends the rest with a reason, exits 0', async () => {
    const s = startServer(dataDir, KEY, { SHUTDOWN_DRAIN_SECONDS: '3' });
    server = s;
    const base = await s.url;
    const api = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${base}${p}`, {
        method,
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const ok = async (method: string, p: string, body?: unknown) => {
      const res = await api(method, p, body);
      expect(res.status, `${method} ${p} ${JSON.stringify(res.body)}`).toBeLessThan(300);
      return res.body;
    };
    const target = (await ok('POST', '/targets.json', { target: { number: '+14155550100', name: 'T' } }))
      .target;
    const campaign = (
      await ok('POST', '/campaigns.json', { campaign: { name: 'c', target_ids: [target.id] } })
    ).campaign;
    const number = (await ok('POST', '/numbers.json', { number: { afid: 'pub1', cid: campaign.cid } })).number
      .number;
    await ok('POST', '/sim/endpoints', { number: '+14155550100', answer_after_s: 0 });
    // This caller hangs up a second after being answered: during the drain. The other stays on the line.
    await ok('POST', '/sim/endpoints', { number: '+13015550001', hangup_after_s: 1 });
    const short = await ok('POST', '/sim/calls', { from: '+13015550001', to: number });
    const long = await ok('POST', '/sim/calls', { from: '+13015550002', to: number });

    s.child.kill('SIGTERM');
    // While draining: health says so, nothing new starts, the APIs answer 503, live calls can be looked at.
    let health = await fetch(`${base}/healthz`);
    for (let i = 0; i < 50 && health.status === 200; i++) health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect((await health.json()).status).toBe('draining');
    expect((await api('POST', '/sim/calls', { from: '+13015550003', to: number })).status).toBe(503);
    expect((await api('GET', '/calls.json')).status).toBe(503);
    expect((await api('GET', `/sim/calls/${long.id}`)).status).toBe(200);

    const { code, signal } = await s.exited;
    expect({ code, signal }, s.log()).toEqual({ code: 0, signal: null });
    expect(s.log()).toContain('"msg":"stopped"');

    const db = new Database(path.join(dataDir, 'switchboard.sqlite'), { readonly: true });
    try {
      const call = (uuid: string) =>
        db.prepare('select status, hung_up_by, end_time from calls where uuid = ?').get(uuid) as any;
      const callerLeg = (uuid: string) =>
        db
          .prepare("select status, end_reason from call_legs where call_uuid = ? and direction = 'inbound'")
          .get(uuid) as any;
      expect(call(short.call_uuid)).toMatchObject({ status: 'finished', hung_up_by: 'caller' });
      expect(call(long.call_uuid)).toMatchObject({ status: 'finished', hung_up_by: 'system' });
      expect(callerLeg(long.call_uuid)).toEqual({ status: 'ended', end_reason: 'server shutting down' });
      const open = db.prepare("select count(*) as n from call_legs where status != 'ended'").get() as any;
      expect(open.n).toBe(0);
      expect(db.prepare("select count(*) as n from calls where status = 'in-progress'").get()).toEqual({
        n: 0,
      });
    } finally {
      db.close();
    }
  }, 90_000);
});
