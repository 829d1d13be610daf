import type { SDK } from '@ringcentral/sdk';
import { Subscriptions } from '@ringcentral/subscriptions';
import { RingCentralCallControl } from 'ringcentral-call-control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PHONE, expectRcError, OTHER_PHONE, type RcWorld, rcWorld } from './harness.js';
import { expectSpec } from './spec.js';

/**
 * Calls placed from an extension (call-out, ring-out, conference) on the simulated network and the
 * manual clock: the sessions, their parties, their notifications, and every refusal.
 */
let w: RcWorld;
let sdk: SDK;
let token: string;
let seq = 0;
beforeAll(async () => {
  w = await rcWorld();
  sdk = await w.sdk();
  token = String((await sdk.platform().auth().data()).access_token);
});
afterAll(async () => w.close());

const CALL_OUT = '/restapi/v1.0/account/~/telephony/call-out';
const RING_OUT = '/restapi/v1.0/account/~/extension/~/ring-out';
const sessionUrl = (id: string) => `/restapi/v1.0/account/~/telephony/sessions/${id}`;
/** A fresh destination per call, so sim behaviours never leak between tests. */
const dest = () => `+1202555${String(1000 + seq++).padStart(4, '0')}`;

async function until<T>(what: string, fn: () => T | undefined | false, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function get(url: string) {
  const res = await w.rc('GET', url, token);
  expect(res.status, url).toBe(200);
  return res.body;
}

describe('POST /telephony/call-out', () => {
  it('ringcentral-call-control createCall: the device rings, then the destination; notifications follow', async () => {
    const to = dest();
    await w.sim.endpoint(to, { answer_after_s: 3 });
    const subscriptions = new Subscriptions({ sdk });
    const sub = subscriptions.createSubscription();
    const events: any[] = [];
    sub.on(sub.events.notification, (e: any) => events.push(e));
    const info = await sub.setEventFilters(['/restapi/v1.0/account/~/telephony/sessions']).register();
    const cc = new RingCentralCallControl({ sdk: sdk as any, preloadDevices: true, preloadSessions: false });
    await new Promise<void>((r) => cc.on('initialized', () => r()));
    sub.on(sub.events.notification, (e: any) => cc.onNotificationEvent(e));

    const session = await cc.createCall(cc.devices[0].id, { phoneNumber: to });
    expect(session.origin).toEqual({ type: 'CallOut' });
    expect(session.party).toMatchObject({
      direction: 'Outbound',
      status: { code: 'Proceeding' },
      from: { phoneNumber: AGENT_PHONE, extensionId: String(w.agent.id) },
      to: { phoneNumber: to },
    });
    await w.sim.advance(2); // the agent's phone answers
    await w.t.app.notifier.idle();
    await until('Answered', () => session.party.status.code === 'Answered');
    let s = await get(sessionUrl(session.id));
    expect(s.parties).toHaveLength(2);
    expect(s.parties[1]).toMatchObject({
      direction: 'Inbound',
      status: { code: 'Proceeding' },
      to: { phoneNumber: to },
    });
    await w.sim.advance(3); // the destination answers
    s = await get(sessionUrl(session.id));
    expect(s.parties.map((p: any) => p.status.code)).toEqual(['Answered', 'Answered']);
    const presence = await get('/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=true');
    expect(presence.activeCalls.find((c: any) => c.telephonySessionId === session.id)).toMatchObject({
      direction: 'Outbound',
      from: AGENT_PHONE,
      to,
      telephonyStatus: 'CallConnected',
    });

    await session.hold();
    await until('Hold', () => session.party.status.code === 'Hold');
    await session.unhold();
    await session.drop(); // the user's party leaves: the call is over
    await w.sim.advance(1);
    await w.t.app.notifier.idle();
    s = await get(sessionUrl(session.id));
    expect(s.parties.every((p: any) => p.status.code === 'Disconnected')).toBe(true);
    await until('Disconnected', () => session.party.status.code === 'Disconnected');
    const mine = events.filter((e) => e.body.telephonySessionId === session.id);
    for (const e of mine) expect(e.body.origin).toEqual({ type: 'CallOut' });
    const sequence = mine.map((e) => `${e.body.parties[0].direction}:${e.body.parties[0].status.code}`);
    expect(sequence).toEqual([
      'Outbound:Proceeding',
      'Outbound:Answered',
      'Inbound:Proceeding',
      'Inbound:Answered',
      'Outbound:Hold',
      'Outbound:Answered',
      // The user's hang-up ends the call: the destination is hung up first, then the user's leg closes.
      'Inbound:Disconnected',
      'Outbound:Disconnected',
    ]);
    expect(mine.map((e) => e.body.sequence)).toEqual(mine.map((_e, i) => i + 1));
    await (info.wse as unknown as { revoke(): Promise<void> }).revoke();
  });

  it('to an extension number: the other user’s phone rings as their party', async () => {
    await w.sim.endpoint(OTHER_PHONE, { answer_after_s: 1 });
    const res = await w.rc('POST', CALL_OUT, token, {
      from: { deviceId: String(w.agent.id) },
      to: { extensionNumber: '102' },
    });
    expect(res.status).toBe(201);
    await w.sim.advance(4);
    const s = await get(sessionUrl(res.body.session.id));
    expect(s.parties[0].to).toMatchObject({ phoneNumber: OTHER_PHONE, extensionId: String(w.other.id) });
    expect(s.parties[1]).toMatchObject({
      direction: 'Inbound',
      status: { code: 'Answered' },
      owner: { extensionId: String(w.other.id) },
    });
    expect((await w.rc('DELETE', sessionUrl(s.id), token)).status).toBe(204);
    await w.sim.advance(1);
    expect((await get(sessionUrl(s.id))).parties.every((p: any) => p.status.code === 'Disconnected')).toBe(
      true,
    );
  });

  it('the device not answering ends the session without dialling the destination', async () => {
    await w.sim.endpoint(AGENT_PHONE, { no_answer: true });
    const to = dest();
    const res = await w.rc('POST', CALL_OUT, token, {
      from: { deviceId: String(w.agent.id) },
      to: { phoneNumber: to },
    });
    expect(res.status).toBe(201);
    await w.sim.advance(70);
    const s = await get(sessionUrl(res.body.session.id));
    expect(s.parties).toHaveLength(1);
    expect(s.parties[0].status).toEqual({ code: 'Disconnected', reason: 'NoAnswer' });
    await w.sim.endpoint(AGENT_PHONE, { answer_after_s: 2 });
  });

  it('refusals: missing fields, malformed number, unknown/other device, unknown extension, other account', async () => {
    const other = await w.t.addTenant();
    const theirs = await w.t.api(
      'POST',
      '/users.json',
      { user: { email: 'z@y.zz', extension_number: '7', phone_number: '+14155550999' } },
      { key: other.key },
    );
    const noPhone = await w.t.api('POST', '/users.json', {
      user: { email: 'np@x.zz', extension_number: '150' },
    });
    const device = { deviceId: String(w.agent.id) };
    const cases: [unknown, number, string?][] = [
      [{}, 400, 'from'],
      [{ from: device }, 400, 'to'],
      [{ from: {}, to: { phoneNumber: '+12025550100' } }, 400, 'deviceId'],
      [{ from: device, to: {} }, 400, 'to.phoneNumber'],
      [{ from: device, to: { phoneNumber: 'call me' } }, 400, 'to.phoneNumber'],
      [{ from: { deviceId: '99999' }, to: { phoneNumber: '+12025550100' } }, 404],
      [{ from: { deviceId: String(w.other.id) }, to: { phoneNumber: '+12025550100' } }, 404],
      [{ from: { deviceId: String(theirs.body.user.id) }, to: { phoneNumber: '+12025550100' } }, 404],
      [{ from: device, to: { extensionNumber: '999' } }, 404],
      [{ from: device, to: { extensionNumber: '7' } }, 404],
      [{ from: device, to: { extensionNumber: '150' } }, 400, 'to.extensionNumber'],
    ];
    expect(noPhone.status).toBe(201);
    for (const [body, status, param] of cases) {
      const res = await w.rc('POST', CALL_OUT, token, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expectRcError(res.body, status === 400 ? 'CMN-101' : 'CMN-102');
      if (param) expect(res.body.errors[0].parameterName, JSON.stringify(body)).toBe(param);
    }
    const wrongAccount = await w.rc(
      'POST',
      `/restapi/v1.0/account/${other.companyId}/telephony/call-out`,
      token,
      {
        from: device,
        to: { phoneNumber: '+12025550100' },
      },
    );
    expect(wrongAccount.status).toBe(404);
    const ended = await w.t.app.store.db
      .selectFrom('calls')
      .select('uuid')
      .where('via', '=', 'placed')
      .execute();
    const placedBefore = ended.length;
    const again = await w.rc('POST', CALL_OUT, token, { from: device, to: { phoneNumber: 'x' } });
    expect(again.status).toBe(400);
    const after = await w.t.app.store.db
      .selectFrom('calls')
      .select('uuid')
      .where('via', '=', 'placed')
      .execute();
    expect(after.length).toBe(placedBefore);
  });
});

describe('ring-out', () => {
  it('@ringcentral/sdk: POST → GetRingOutStatusResponse; GET follows each side; both talk, then Finished', async () => {
    const first = dest();
    const to = dest();
    await w.sim.endpoint(first, { answer_after_s: 2 });
    await w.sim.endpoint(to, { answer_after_s: 2, hangup_after_s: 10 });
    const res = await sdk.platform().post(RING_OUT, {
      from: { phoneNumber: first },
      to: { phoneNumber: to },
      callerId: { phoneNumber: AGENT_PHONE },
      playPrompt: false,
    });
    expect(res.status).toBe(200);
    const ro = await res.json();
    expectSpec('POST', RING_OUT, 200, ro);
    expect(ro.status).toEqual({
      callStatus: 'InProgress',
      callerStatus: 'InProgress',
      calleeStatus: 'InProgress',
    });
    const url = `${RING_OUT}/${ro.id}`;
    expect(ro.uri).toContain(`/ring-out/${ro.id}`);
    const status = async () => (await (await sdk.platform().get(url)).json()).status;
    await w.sim.advance(2);
    expect(await status()).toEqual({
      callStatus: 'InProgress',
      callerStatus: 'Success',
      calleeStatus: 'InProgress',
    });
    await w.sim.advance(2);
    expect(await status()).toEqual({
      callStatus: 'Success',
      callerStatus: 'Success',
      calleeStatus: 'Success',
    });
    const s = await get(sessionUrl(ro.id));
    expect(s.origin).toEqual({ type: 'RingOut' });
    expect(s.parties.map((p: any) => p.ringOutRole)).toEqual(['Initiator', 'Target']);
    expect(s.parties[1].from.phoneNumber).toBe(AGENT_PHONE); // the caller id the destination sees
    await w.sim.advance(10);
    expect(await status()).toEqual({
      callStatus: 'Finished',
      callerStatus: 'Finished',
      calleeStatus: 'Finished',
    });
    const late = await w.rc('DELETE', url, token);
    expect(late.status).toBe(409);
    expectRcError(late.body, 'TAS-109');
  });

  it('DELETE cancels a ring-out still ringing its first phone', async () => {
    const first = dest();
    await w.sim.endpoint(first, { answer_after_s: 30 });
    const ro = await (
      await sdk.platform().post(RING_OUT, { from: { phoneNumber: first }, to: { phoneNumber: dest() } })
    ).json();
    await w.sim.advance(1);
    const del = await sdk.platform().delete(`${RING_OUT}/${ro.id}`);
    expect(del.status).toBe(204);
    await w.sim.advance(1);
    const st = (await (await sdk.platform().get(`${RING_OUT}/${ro.id}`)).json()).status;
    expect(st).toEqual({ callStatus: 'Finished', callerStatus: 'Finished', calleeStatus: 'Finished' });
    const s = await get(sessionUrl(ro.id));
    expect(s.parties[0].status).toEqual({ code: 'Disconnected', reason: 'Cancelled' });
    expect((await w.sim.show(ro.id)).legs.every((l: any) => l.state === 'ended')).toBe(true);
  });

  it('the destination busy: callee Busy, call Busy', async () => {
    const first = dest();
    const to = dest();
    await w.sim.endpoint(first, { answer_after_s: 1 });
    await w.sim.endpoint(to, { busy: true });
    const ro = await w.rc('POST', RING_OUT, token, { from: { phoneNumber: first }, to: { phoneNumber: to } });
    await w.sim.advance(3);
    const st = await w.rc('GET', `${RING_OUT}/${ro.body.id}`, token);
    expect(st.body.status).toEqual({ callStatus: 'Busy', callerStatus: 'Finished', calleeStatus: 'Busy' });
  });

  it('refusals: missing/malformed numbers, unknown id, another extension’s or account’s ring-out', async () => {
    const cases: [unknown, string][] = [
      [{}, 'from'],
      [{ from: { phoneNumber: AGENT_PHONE } }, 'to'],
      [{ from: {}, to: { phoneNumber: '+12025550100' } }, 'from.phoneNumber'],
      [{ from: { phoneNumber: 'abc' }, to: { phoneNumber: '+12025550100' } }, 'from.phoneNumber'],
      [{ from: { phoneNumber: AGENT_PHONE }, to: { phoneNumber: '12' } }, 'to.phoneNumber'],
      [
        {
          from: { phoneNumber: AGENT_PHONE },
          to: { phoneNumber: '+12025550100' },
          callerId: { phoneNumber: 'x' },
        },
        'callerId.phoneNumber',
      ],
    ];
    for (const [body, param] of cases) {
      const res = await w.rc('POST', RING_OUT, token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectRcError(res.body, 'CMN-101');
      expect(res.body.errors[0].parameterName, JSON.stringify(body)).toBe(param);
    }
    const fwd = await w.rc('POST', RING_OUT, token, {
      from: { forwardingNumberId: '1' },
      to: { phoneNumber: '+12025550100' },
    });
    expect(fwd.status).toBe(403);
    expectRcError(fwd.body, 'FeatureNotAvailable');
    for (const url of [`${RING_OUT}/nope`, `${RING_OUT}/00000000-0000-0000-0000-000000000000`]) {
      const res = await w.rc('GET', url, token);
      expect(res.status, url).toBe(404);
      expectRcError(res.body, 'CMN-102');
      expect((await w.rc('DELETE', url, token)).status).toBe(404);
    }
    const otherExt = await w.rc('POST', `/restapi/v1.0/account/~/extension/${w.other.id}/ring-out`, token, {
      from: { phoneNumber: AGENT_PHONE },
      to: { phoneNumber: '+12025550100' },
    });
    expect(otherExt.status).toBe(403);
    expectRcError(otherExt.body, 'CMN-401');
    const other = await w.t.addTenant();
    const res = await w.rc('POST', `/restapi/v1.0/account/${other.companyId}/extension/~/ring-out`, token, {
      from: { phoneNumber: AGENT_PHONE },
      to: { phoneNumber: '+12025550100' },
    });
    expect(res.status).toBe(404);
    // A call-out's session is no ring-out.
    const co = await w.rc('POST', CALL_OUT, token, {
      from: { deviceId: String(w.agent.id) },
      to: { phoneNumber: dest() },
    });
    expect((await w.rc('GET', `${RING_OUT}/${co.body.session.id}`, token)).status).toBe(404);
    await w.rc('DELETE', sessionUrl(co.body.session.id), token);
  });
});

describe('POST /telephony/conference', () => {
  it('ringcentral-call-control createConference: a Conference session with a voiceCallToken, readable by GET', async () => {
    const cc = new RingCentralCallControl({ sdk: sdk as any, preloadDevices: false, preloadSessions: false });
    await new Promise<void>((r) => cc.on('initialized', () => r()));
    const session = await cc.createConference();
    expect(session.origin).toEqual({ type: 'Conference' });
    expect(session.voiceCallToken).toMatch(/^\d{10}$/);
    expect(session.parties).toEqual([]);
    const s = await get(sessionUrl(session.id));
    expect(s).toMatchObject({
      id: session.id,
      origin: { type: 'Conference' },
      voiceCallToken: session.voiceCallToken,
    });
    const raw = await w.rc('POST', '/restapi/v1.0/account/~/telephony/conference', token, {});
    expect(raw.status).toBe(201);
    const other = await w.t.addTenant();
    expect(
      (await w.rc('POST', `/restapi/v1.0/account/${other.companyId}/telephony/conference`, token, {})).status,
    ).toBe(404);
  });
});
