/**
 * Whole calls through the engine on the sip driver: sipp dials a tracked number, the engine routes it
 * to sipp targets (sip: URIs), and the call record matches what happened on the wire.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { dropSchema } from '../../../src/store/db.js';
import { freeUdpPort, sipp, uacScenario, uasScenario } from './sipp.js';

let app: App;
let close: () => Promise<void>;
const key = `k-${randomBytes(6).toString('hex')}`;

beforeEach(async () => {
  const databaseUrl = process.env.DATABASE_URL;
  const schema = databaseUrl ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const base = 26_000 + Math.floor(Math.random() * 1500) * 2;
  app = await buildApp({
    config: loadConfig({
      DATA_DIR: '/nonexistent',
      SWITCHBOARD_API_KEY: key,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema } : {}),
      SWITCHBOARD_TELEPHONY: 'sip',
      SIP_LISTEN: '127.0.0.1:0',
      RTP_PORTS: `${base}-${base + 200}`,
    }),
    logger: false,
    sqliteFileOverride: ':memory:',
  });
  close = async () => {
    await app.close();
    if (databaseUrl && schema) await dropSchema(databaseUrl, schema);
  };
});
afterEach(async () => close());

async function create(path: string, field: string, attrs: Record<string, unknown>) {
  const res = await app.http.inject({
    method: 'POST',
    url: `${path}.json?api_key=${key}`,
    payload: { [field]: attrs },
  });
  if (res.statusCode >= 300) throw new Error(res.body);
  return res.json()[field];
}

async function theCall() {
  for (let i = 0; i < 200; i++) {
    const row = await app.store.db.selectFrom('calls').selectAll().executeTakeFirst();
    if (row?.end_time) return row;
    await new Promise((r) => setTimeout(r, 50));
  }
  return app.store.db.selectFrom('calls').selectAll().executeTakeFirstOrThrow();
}

const ok = async (run: Awaited<ReturnType<typeof sipp>>) => {
  const r = await run.exited;
  if (r.code !== 0) console.error(r.output);
  expect(r.code).toBe(0);
};

async function target(kind: Parameters<typeof uasScenario>[0], priority: number) {
  const port = await freeUdpPort();
  const run = await sipp(uasScenario(kind), { port });
  const t = await create('/targets', 'target', {
    number: `sip:target@127.0.0.1:${port}`,
    name: kind,
    priority,
  });
  return { run, t };
}

async function number(targetIds: number[]) {
  const c = await create('/campaigns', 'campaign', { name: 'sip', target_ids: targetIds });
  return (await create('/numbers', 'number', { afid: 'p', cid: c.cid })).number as string;
}

const dial = (to: string, opts: Partial<Parameters<typeof uacScenario>[0]> = {}) =>
  sipp(uacScenario({ to, holdMs: 1500, hangup: 'caller', ...opts }), {
    target: `127.0.0.1:${app.sip!.port}`,
  });

describe('sip driver under the engine', () => {
  it('direct forward: the caller reaches the target, talks, hangs up; the record says so', async () => {
    const a = await target('answer', 1);
    const n = await number([a.t.id]);
    await ok(await dial(n));
    await ok(a.run);
    const call = await theCall();
    expect(call).toMatchObject({
      target_id: a.t.id,
      hung_up_by: 'caller',
      caller: '+15557654321',
      connected: 1,
    });
    // sipp talks for 1.5 s after the answer before its BYE.
    expect(call.connected_time).not.toBeNull();
    expect(call.end_time! - call.connected_time!).toBeGreaterThanOrEqual(1000);
  });

  it('fails over from a busy target (486) to the next one', async () => {
    const busy = await target('busy', 1);
    const good = await target('answer', 2);
    const n = await number([busy.t.id, good.t.id]);
    await ok(await dial(n));
    await ok(busy.run);
    await ok(good.run);
    expect(await theCall()).toMatchObject({ target_id: good.t.id });
  });

  it('IVR: the caller presses 2 over RFC 4733, the menu routes to option 2; keys and legs recorded', async () => {
    const two = await target('answer', 1);
    const c = await create('/campaigns', 'campaign', {
      name: 'ivr',
      message: 'Press one for sales or two for support.',
      menu_options_attributes: [
        { option: '1', target_number: 'sip:nobody@127.0.0.1:9' },
        { option: '2', target_number: two.t.number },
      ],
    });
    const n = (await create('/numbers', 'number', { afid: 'p', cid: c.cid })).number as string;
    await ok(await dial(n, { dtmf: '2', dtmfAfterMs: 500, holdMs: 4000 }));
    await ok(two.run);
    const call = await theCall();
    expect(JSON.parse(call.keys_pressed)).toEqual(['2']);
    expect(call).toMatchObject({ dialed_number: two.t.number, connected: 1, hung_up_by: 'caller' });
    const legs = await app.store.db.selectFrom('call_legs').selectAll().orderBy('started_at').execute();
    expect(legs.map((l) => [l.direction, l.to_number, l.status, l.hung_up_by])).toEqual([
      ['inbound', n, 'ended', 'caller'],
      ['outbound', two.t.number, 'ended', 'caller'],
    ]);
    // The target answered after the key and before the caller's BYE; the IVR lasted until the key.
    expect(legs[1].answered_at).not.toBeNull();
    expect(legs[1].answered_at!).toBeLessThanOrEqual(legs[1].ended_at!);
    expect(call.ivr_duration).toBeGreaterThanOrEqual(0);
    expect(call.connected_time).toBe(legs[1].answered_at);
  });

  it('hold from the phone: re-INVITE sendonly answered recvonly, sendrecv again after; the call goes on', async () => {
    const a = await target('answer', 1);
    const n = await number([a.t.id]);
    await ok(await dial(n, { phoneHold: true, holdMs: 500 }));
    await ok(a.run);
    expect(await theCall()).toMatchObject({ target_id: a.t.id, hung_up_by: 'caller', connected: 1 });
  });

  it('the target hangs up first: the caller gets a BYE', async () => {
    const a = await target('answer-then-hangup', 1);
    const n = await number([a.t.id]);
    await ok(await dial(n, { hangup: 'remote' }));
    await ok(a.run);
    expect(await theCall()).toMatchObject({ target_id: a.t.id, hung_up_by: 'target' });
  });
});
