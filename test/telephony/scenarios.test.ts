/**
 * The shared scenario list (scenarios.ts) on both drivers: the sim with its manual clock, and the sip
 * driver with sipp playing the caller and every target. The same record and legs must come out.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { dropSchema } from '../../src/store/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  CALLER,
  type CallerPlan,
  type Outcome,
  SCENARIOS,
  type Scenario,
  type TargetKind,
} from './scenarios.js';
import { freeUdpPort, type SippRun, sipp, uacScenario, uasScenario } from './sip/sipp.js';

const RING_S = 3;

/** What a driver's world offers a scenario: dialable targets, a way to call, and the app's API and store. */
interface World {
  app: App;
  create(path: string, field: string, attrs: Record<string, unknown>): Promise<any>;
  target(kind: TargetKind): Promise<string>;
  /**
   * Calls `number` and resolves once the call and every peer are done; `ringingS` is how long targets
   * that never answer hold the call up (a real caller cannot see when the target answers).
   */
  call(number: string, plan: CallerPlan, ringingS: number): Promise<void>;
  close(): Promise<void>;
}

async function play(w: World, sc: Scenario): Promise<Outcome> {
  const targets: { id: number; number: string }[] = [];
  for (const [i, kind] of sc.targets.entries()) {
    const number = await w.target(kind);
    const t = await w.create('/targets', 'target', {
      number,
      name: kind,
      priority: i + 1,
      timeout_seconds: RING_S,
    });
    targets.push({ id: t.id, number: t.number });
  }
  const attrs = sc.campaign?.(targets) ?? { target_ids: targets.map((t) => t.id) };
  const c = await w.create('/campaigns', 'campaign', { name: sc.name.slice(0, 40), ...attrs });
  const number = (await w.create('/numbers', 'number', { afid: 'p', cid: c.cid })).number as string;
  await w.call(number, sc.caller, sc.targets.filter((k) => k === 'no-answer').length * RING_S);
  let call: Record<string, any> | undefined;
  for (let i = 0; i < 400; i++) {
    call = await w.app.store.db.selectFrom('calls').selectAll().executeTakeFirst();
    if (call?.end_time) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(call?.end_time).toBeTruthy();
  const legs = await w.app.store.db
    .selectFrom('call_legs')
    .selectAll()
    .where('call_uuid', '=', call!.uuid)
    .orderBy('started_at')
    .execute();
  return { call: call!, legs: legs as Outcome['legs'], targets, number };
}

async function simWorld(): Promise<World> {
  const t: TestApp = await createTestApp();
  const ok = async (method: string, url: string, body?: unknown) => {
    const res = await t.api(method, url, body);
    if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${res.text}`);
    return res.body;
  };
  let n = 0;
  const behaviour: Record<TargetKind, Record<string, unknown>> = {
    answer: { answer_after_s: 1 },
    busy: { busy: true },
    'no-answer': { no_answer: true },
    'answer-then-hangup': { answer_after_s: 1, hangup_after_s: 2 },
  };
  const advance = (seconds: number) => ok('POST', '/sim/clock/advance', { seconds });
  const row = () => t.app.store.db.selectFrom('calls').selectAll().executeTakeFirst();
  return {
    app: t.app,
    create: async (path, field, attrs) => {
      const res = await t.api('POST', `${path}.json`, { [field]: attrs });
      if (res.status !== 201) throw new Error(res.text);
      return res.body[field];
    },
    target: async (kind) => {
      const number = `+1415555${String(1000 + n++)}`;
      await ok('POST', '/sim/endpoints', { number, ...behaviour[kind] });
      return number;
    },
    call: async (number, plan) => {
      const c = await ok('POST', '/sim/calls', { from: CALLER, to: number });
      if (plan.press) {
        await advance(1);
        await ok('POST', `/sim/calls/${c.id}/digits`, { digits: plan.press });
      }
      for (let i = 0; i < 120 && !(await row())?.end_time; i++) {
        await advance(1);
        const r = await row();
        if (plan.hangup === 'caller' && r?.connected_time && t.clock.now() - r.connected_time >= 2000) {
          await ok('POST', `/sim/calls/${c.id}/hangup`);
        }
      }
    },
    close: () => t.close(),
  };
}

async function sipWorld(): Promise<World> {
  const databaseUrl = process.env.DATABASE_URL;
  const schema = databaseUrl ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const key = `k-${randomBytes(6).toString('hex')}`;
  const base = 30_000 + Math.floor(Math.random() * 1500) * 2;
  const app = await buildApp({
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
  const runs: SippRun[] = [];
  const ok = async (run: SippRun) => {
    const r = await run.exited;
    if (r.code !== 0) console.error(r.output);
    expect(r.code).toBe(0);
  };
  return {
    app,
    create: async (path, field, attrs) => {
      const res = await app.http.inject({
        method: 'POST',
        url: `${path}.json?api_key=${key}`,
        payload: { [field]: attrs },
      });
      if (res.statusCode >= 300) throw new Error(res.body);
      return res.json()[field];
    },
    target: async (kind) => {
      const port = await freeUdpPort();
      runs.push(await sipp(uasScenario(kind), { port, timeoutS: 40 }));
      return `sip:target@127.0.0.1:${port}`;
    },
    call: async (number, plan, ringingS) => {
      const caller = await sipp(
        uacScenario({
          to: number,
          // Talk about two seconds once through, with a margin per ring timeout (a busy machine).
          holdMs: 2000 + ringingS * 1500,
          hangup: plan.hangup,
          ...(plan.press ? { dtmf: plan.press, dtmfAfterMs: 500 } : {}),
        }),
        { target: `127.0.0.1:${app.sip!.port}`, timeoutS: 40 },
      );
      await ok(caller);
      for (const r of runs) await ok(r);
    },
    close: async () => {
      for (const r of runs) r.kill();
      await app.close();
      if (databaseUrl && schema) await dropSchema(databaseUrl, schema);
    },
  };
}

for (const [driver, make] of [
  ['sim', simWorld],
  ['sip (sipp)', sipWorld],
] as const) {
  describe(`scenarios on the ${driver} driver`, () => {
    let w: World | undefined;
    afterEach(async () => {
      await w?.close();
      w = undefined;
    });
    for (const sc of SCENARIOS)
      it(sc.name, { timeout: 60_000 }, async () => {
        w = await make();
        sc.check(await play(w, sc));
      });
  });
}
