/**
 * Retreaver Call Control and party actions on real SIP calls (the engine scenarios of
 * test/e2e/call-control.test.ts, played by sipp): hold and unhold from the API, unattended transfer with
 * conference-the-caller, attended transfer. Every sipp waits for our BYE and the test ends the call
 * through the engine, so nothing depends on wall-clock timing; the records are checked against the legs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { CALL_CONTROL_ACTIONS, type KeyScope } from '../../../src/domain/call-control.js';
import { dropSchema } from '../../../src/store/db.js';
import { freeUdpPort, type SippRun, sipp, uacScenario, uasScenario } from './sipp.js';

let app: App;
let close: () => Promise<void>;
const key = `k-${randomBytes(6).toString('hex')}`;
const runs: SippRun[] = [];

beforeEach(async () => {
  const databaseUrl = process.env.DATABASE_URL;
  const schema = databaseUrl ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const base = 22_000 + Math.floor(Math.random() * 1500) * 2;
  app = await buildApp({
    config: loadConfig({
      DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'sb-sip-')),
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
    for (const r of runs.splice(0)) r.kill();
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

const until = async <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const ok = async (run: SippRun) => {
  const r = await run.exited;
  if (r.code !== 0) console.error(r.output);
  expect(r.code).toBe(0);
};

/** A sipp that answers and waits for our BYE, reachable at the returned sip: URI. */
async function phone() {
  const port = await freeUdpPort();
  const run = await sipp(uasScenario('answer'), { port, timeoutS: 60 });
  runs.push(run);
  return { run, uri: `sip:target@127.0.0.1:${port}` };
}

const legs = (uuid: string) =>
  app.store.db
    .selectFrom('call_legs')
    .selectAll()
    .where('call_uuid', '=', uuid)
    .orderBy('started_at')
    .execute();

const call = (uuid: string) =>
  app.store.db.selectFrom('calls').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();

/** sipp calls a tracked number routed to an answering sipp agent; resolves once they are bridged. */
async function connectedCall(opts: { talk?: boolean } = {}) {
  const agent = await phone();
  const t = await create('/targets', 'target', { number: agent.uri, name: 'agent', priority: 1 });
  const c = await create('/campaigns', 'campaign', { name: 'cc', target_ids: [t.id] });
  const n = (await create('/numbers', 'number', { afid: 'p', cid: c.cid })).number as string;
  // With `talk`, the caller plays sipp's A-law sample (about 7 s) once answered.
  const caller = await sipp(
    uacScenario({
      to: n,
      holdMs: 0,
      hangup: 'remote',
      ...(opts.talk ? { codecs: '8', pcap: 'g711a.pcap' } : {}),
    }),
    {
      target: `127.0.0.1:${app.sip!.port}`,
      timeoutS: 60,
      files: opts.talk ? ['/usr/share/sip-tester/g711a.pcap'] : [],
    },
  );
  runs.push(caller);
  const row = await until('the agent to answer', async () => {
    const r = await app.store.db.selectFrom('calls').selectAll().executeTakeFirst();
    return r?.connected_time ? r : undefined;
  });
  const scope: KeyScope = {
    keyId: 1,
    companyId: row.company_id,
    targetId: t.id,
    targetGroupId: null,
    targetIds: [t.id],
    numbers: [agent.uri],
    actions: [...CALL_CONTROL_ACTIONS],
    returnTimeoutSeconds: 60,
  };
  const inLeg = (await legs(row.uuid)).find((l) => l.direction === 'inbound')!;
  const party = {
    companyId: row.company_id,
    callUuid: row.uuid,
    legId: inLeg.id,
    direction: 'inbound' as const,
    to: n,
  };
  return { agent, caller, uuid: row.uuid, scope, party, n };
}

describe('call control on SIP calls', () => {
  it('hold and unhold from the API: the caller hears music, then the agent again; the leg says so', async () => {
    const { agent, caller, uuid, party } = await connectedCall();
    const media = app.sip!.media as unknown as { legs: Map<string, { player?: unknown; peer?: unknown }> };
    await app.engine.parties.hold(party);
    expect((await legs(uuid)).find((l) => l.id === party.legId)?.status).toBe('hold');
    expect(media.legs.get(party.legId)?.player).toBeDefined();
    await app.engine.parties.unhold(party);
    expect((await legs(uuid)).find((l) => l.id === party.legId)?.status).toBe('answered');
    expect(media.legs.get(party.legId)?.player).toBeUndefined();
    expect(media.legs.get(party.legId)?.peer).toBeDefined();
    await app.engine.parties.drop(party);
    await ok(caller);
    await ok(agent.run);
    await until('the record to close', async () => (await call(uuid)).end_time);
  });

  it('records with pause and resume through party control; the WAV is served at recording_url', async () => {
    const { agent, caller, uuid, party } = await connectedCall({ talk: true });
    await app.engine.parties.record(party.companyId, uuid, 'start');
    await new Promise((r) => setTimeout(r, 1500));
    await app.engine.parties.record(party.companyId, uuid, 'pause');
    await app.engine.parties.mute(party, true);
    await new Promise((r) => setTimeout(r, 300));
    await app.engine.parties.mute(party, false);
    await app.engine.parties.record(party.companyId, uuid, 'resume');
    await new Promise((r) => setTimeout(r, 500));
    await app.engine.parties.drop(party);
    await ok(caller);
    await ok(agent.run);
    const row = await until('the recording', async () => {
      const r = await call(uuid);
      return r.recording_url && r.end_time ? r : undefined;
    });
    expect(row.recording_url).toBe(`/calls/${uuid}/recording.wav`);
    const denied = await app.http.inject({ method: 'GET', url: row.recording_url! });
    expect(denied.statusCode).toBe(401);
    const res = await app.http.inject({ method: 'GET', url: `${row.recording_url}?api_key=${key}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    const wav = res.rawPayload;
    expect(wav.toString('ascii', 8, 12)).toBe('WAVE');
    const pcm = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length));
    // About two seconds recorded (the paused span left out); the caller's voice is in it, not silence.
    expect(pcm.length).toBeGreaterThan(8000);
    expect(pcm.some((v) => Math.abs(v) > 1000)).toBe(true);
    // The file is the call's, served only to its company.
    const other = await app.http.inject({
      method: 'GET',
      url: `/calls/${crypto.randomUUID()}/recording.wav?api_key=${key}`,
    });
    expect(other.statusCode).toBe(404);

    // The journey: the agent's 180 as `ringing` (naming the target), then the segments and the mute.
    const journey = await app.http.inject({
      method: 'GET',
      url: `/api/v3/calls/${uuid}.json?call_flow_events=true&api_key=${key}`,
    });
    const events = journey.json().call.call_flow_events as { type: string; details: any }[];
    const dialled = events.find((e) => e.type === 'dialled')!;
    const ringing = events.filter((e) => e.type === 'ringing');
    expect(ringing).toHaveLength(1);
    expect(ringing[0].details).toMatchObject({ leg_id: dialled.details.leg_id, status: 'ringing' });
    expect(ringing[0].details.target_id).toBe(dialled.details.target_id);
    expect(events.findIndex((e) => e.type === 'ringing')).toBeLessThan(
      events.findIndex((e) => e.type === 'answered'),
    );
    const controls = ['recording_started', 'recording_paused', 'muted', 'unmuted', 'recording_resumed'];
    expect(events.filter((e) => controls.includes(e.type)).map((e) => e.type)).toEqual(controls);
    expect(events.find((e) => e.type === 'muted')!.details).toEqual({ leg_id: party.legId, to: party.to });
  });

  it('unattended: caller held, transferee answers, the caller is conferenced in; records match', async () => {
    const { agent, caller, uuid, scope, party } = await connectedCall();
    const transferee = await phone();
    const { transferUuid } = await app.engine.callControl.transfer(uuid, scope, {
      holdCaller: true,
      transferTo: transferee.uri,
    });
    const child = await until('the transferee to answer', async () => {
      const r = await app.store.db
        .selectFrom('calls')
        .selectAll()
        .where('upstream_call_uuid', '=', uuid)
        .executeTakeFirst();
      return r?.connected_time ? r : undefined;
    });
    await app.engine.callControl.conferenceCaller(transferUuid, scope);
    const media = app.sip!.media as unknown as { legs: Map<string, { room?: Set<unknown> }> };
    expect(media.legs.get(party.legId)?.room?.size).toBe(3);
    await app.engine.parties.drop(party);
    await ok(caller);
    await ok(agent.run);
    await ok(transferee.run);
    const parent = await until('the call to close', async () => {
      const r = await call(uuid);
      return r.end_time ? r : undefined;
    });
    expect(JSON.parse(String(parent.downstream_call_uuids))).toEqual([child.uuid]);
    const done = await until('the transfer record to close', async () => {
      const r = await call(child.uuid);
      return r.end_time ? r : undefined;
    });
    expect(done).toMatchObject({ upstream_call_uuid: uuid, dialed_number: transferee.uri, connected: 1 });
    expect((await legs(child.uuid)).map((l) => [l.to_number, l.status])).toEqual([[transferee.uri, 'ended']]);
  });

  it("a phone's REFER: the agent transfers the caller blind; the engine dials, hangs the agent up, hands over", async () => {
    const tport = await freeUdpPort();
    const transferee = await sipp(uasScenario('answer-then-hangup', 800), { port: tport, timeoutS: 60 });
    runs.push(transferee);
    const tUri = `sip:target@127.0.0.1:${tport}`;
    const aport = await freeUdpPort();
    const agentRun = await sipp(uasScenario('refer', 300, tUri), { port: aport, timeoutS: 60 });
    runs.push(agentRun);
    const t = await create('/targets', 'target', { number: `sip:target@127.0.0.1:${aport}`, name: 'agent' });
    const c = await create('/campaigns', 'campaign', { name: 'refer', target_ids: [t.id] });
    const n = (await create('/numbers', 'number', { afid: 'p', cid: c.cid })).number as string;
    const caller = await sipp(uacScenario({ to: n, holdMs: 0, hangup: 'remote' }), {
      target: `127.0.0.1:${app.sip!.port}`,
      timeoutS: 60,
    });
    runs.push(caller);
    await ok(agentRun); // REFER answered 202, NOTIFY sent, then our BYE
    await ok(transferee);
    await ok(caller); // the transferee hung up: the caller got our BYE
    const parent = await until('the call to close', async () => {
      const r = await app.store.db
        .selectFrom('calls')
        .selectAll()
        .where('upstream_call_uuid', 'is', null)
        .executeTakeFirst();
      return r?.end_time ? r : undefined;
    });
    expect(parent).toMatchObject({ target_id: t.id, connected: 1, hung_up_by: 'target' });
    const downstream = JSON.parse(String(parent.downstream_call_uuids));
    expect(downstream).toHaveLength(1);
    const child = await until('the transfer record to close', async () => {
      const r = await call(downstream[0]);
      return r.end_time ? r : undefined;
    });
    expect(child).toMatchObject({
      upstream_call_uuid: parent.uuid,
      dialed_number: tUri,
      connected: 1,
      hung_up_by: 'target',
    });
  });

  it("a phone's REFER to a busy number: the phone hears NOTIFY 100 then 486, then our BYE; the caller is let go", async () => {
    const tport = await freeUdpPort();
    const transferee = await sipp(uasScenario('busy'), { port: tport, timeoutS: 60 });
    runs.push(transferee);
    const tUri = `sip:target@127.0.0.1:${tport}`;
    const aport = await freeUdpPort();
    const agentRun = await sipp(uasScenario('refer', 300, tUri, '486'), { port: aport, timeoutS: 60 });
    runs.push(agentRun);
    const t = await create('/targets', 'target', { number: `sip:target@127.0.0.1:${aport}`, name: 'agent' });
    const c = await create('/campaigns', 'campaign', { name: 'refer-busy', target_ids: [t.id] });
    const n = (await create('/numbers', 'number', { afid: 'p', cid: c.cid })).number as string;
    const caller = await sipp(uacScenario({ to: n, holdMs: 0, hangup: 'remote' }), {
      target: `127.0.0.1:${app.sip!.port}`,
      timeoutS: 60,
    });
    runs.push(caller);
    await ok(agentRun); // 202, NOTIFY 100 Trying (active), NOTIFY 486 Busy Here (terminated), our BYE
    await ok(transferee);
    await ok(caller);
    const parent = await until('the call to close', async () => {
      const r = await app.store.db
        .selectFrom('calls')
        .selectAll()
        .where('upstream_call_uuid', 'is', null)
        .executeTakeFirst();
      return r?.end_time ? r : undefined;
    });
    expect(parent).toMatchObject({ target_id: t.id, connected: 1 });
  });

  it('attended: the three are conferenced as soon as the transferee answers', async () => {
    const { agent, caller, uuid, scope, party } = await connectedCall();
    const transferee = await phone();
    await app.engine.callControl.transfer(uuid, scope, { holdCaller: false, transferTo: transferee.uri });
    const media = app.sip!.media as unknown as { legs: Map<string, { room?: Set<unknown> }> };
    await until('the conference', async () => media.legs.get(party.legId)?.room?.size === 3);
    await app.engine.parties.drop(party);
    await ok(caller);
    await ok(agent.run);
    await ok(transferee.run);
    const parent = await until('the call to close', async () => {
      const r = await call(uuid);
      return r.end_time ? r : undefined;
    });
    expect(parent).toMatchObject({ connected: 1 });
  });
});
