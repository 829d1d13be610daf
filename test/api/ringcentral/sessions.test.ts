import type { SDK } from '@ringcentral/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PHONE, CALLER, expectRcError, OTHER_PHONE, type RcWorld, rcWorld } from './harness.js';
import { expectSpec } from './spec.js';

let w: RcWorld;
let sdk: SDK;
let token: string;
beforeAll(async () => {
  w = await rcWorld();
  sdk = await w.sdk();
  token = String((await sdk.platform().auth().data()).access_token);
});
afterAll(async () => w.close());

/** GET through the SDK, validated against the spec. */
async function get(url: string) {
  const body = await (await sdk.platform().get(url)).json();
  expectSpec('GET', url, 200, body);
  return body;
}

describe('account, extensions, devices', () => {
  it('GET /account/~ and by id', async () => {
    const a = await get('/restapi/v1.0/account/~');
    expect(a.id).toBe(w.t.companyId);
    const byId = await get(`/restapi/v1.0/account/${w.t.companyId}`);
    expect(byId.id).toBe(a.id);
  });

  it('GET /extension lists the company’s users with navigation and paging', async () => {
    const list = await get('/restapi/v1.0/account/~/extension');
    expect(list.records.map((r: any) => r.extensionNumber)).toEqual(['101', '102']);
    expect(list.paging).toMatchObject({ page: 1, totalElements: 2, totalPages: 1 });
    const page = await get('/restapi/v1.0/account/~/extension?perPage=1&page=2');
    expect(page.records.map((r: any) => r.extensionNumber)).toEqual(['102']);
    expect(page.navigation.previousPage.uri).toContain('page=1');
  });

  it('GET /extension/~ and /{extensionId}: the user as GetExtensionInfoResponse', async () => {
    const me = await get('/restapi/v1.0/account/~/extension/~');
    expect(me).toMatchObject({
      id: w.agent.id,
      extensionNumber: '101',
      type: 'User',
      status: 'Enabled',
      account: { id: String(w.t.companyId) },
      contact: { firstName: 'Tom', lastName: 'Sawyer', email: 'tom@example.com' },
    });
    const other = await get(`/restapi/v1.0/account/~/extension/${w.other.id}`);
    expect(other.extensionNumber).toBe('102');
  });

  it('GET /extension/~/device: the phone as a device with phone lines', async () => {
    const d = await get('/restapi/v1.0/account/~/extension/~/device');
    expect(d.records).toHaveLength(1);
    expect(d.records[0]).toMatchObject({ type: 'OtherPhone', status: 'Online' });
    expect(d.records[0].phoneLines[0].phoneInfo.phoneNumber).toBe(AGENT_PHONE);
  });

  it('another account’s id, an unknown extension and a malformed one → 404 in RingCentral’s shape', async () => {
    const other = await w.t.addTenant();
    for (const url of [
      `/restapi/v1.0/account/${other.companyId}`,
      `/restapi/v1.0/account/${other.companyId}/extension`,
      '/restapi/v1.0/account/~/extension/99999',
      '/restapi/v1.0/account/~/extension/abc',
    ]) {
      const res = await w.rc('GET', url, token);
      expect(res.status, url).toBe(404);
      expectRcError(res.body, 'CMN-102');
    }
    const theirUser = await w.t.api(
      'POST',
      '/users.json',
      { user: { email: 'x@y.zz', extension_number: '5' } },
      { key: other.key },
    );
    const res = await w.rc('GET', `/restapi/v1.0/account/~/extension/${theirUser.body.user.id}`, token);
    expect(res.status).toBe(404);
  });
});

/** A caller dials the tracking number; the agent's phone answers after 2 s. */
async function answeredCall() {
  const call = await w.sim.call(CALLER, w.trackingNumber);
  await w.sim.advance(3);
  const presence = await get(
    '/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=true&sipData=true',
  );
  const active = presence.activeCalls.find((c: any) => c.telephonySessionId === call.call_uuid);
  expect(active, JSON.stringify(presence)).toBeTruthy();
  return { call, sessionId: call.call_uuid as string, partyId: active.partyId as string, presence };
}

const sessionUrl = (id: string) => `/restapi/v1.0/account/~/telephony/sessions/${id}`;
const partyUrl = (id: string, party: string) => `${sessionUrl(id)}/parties/${party}`;

describe('presence and telephony sessions', () => {
  it('presence shows the live call with its session and party ids; account presence too', async () => {
    const { sessionId, partyId, presence } = await answeredCall();
    expect(presence.telephonyStatus).toBe('CallConnected');
    const active = presence.activeCalls[0];
    expect(active).toMatchObject({
      direction: 'Inbound',
      from: CALLER,
      to: AGENT_PHONE,
      telephonyStatus: 'CallConnected',
    });
    expect(active.sipData.localUri).toContain(AGENT_PHONE);
    const account = await (
      await sdk.platform().get('/restapi/v1.0/account/~/presence?detailedTelephonyState=true&sipData=true')
    ).json();
    const mine = account.records.find((r: any) => r.extension.id === w.agent.id);
    expect(mine.activeCalls[0]).toMatchObject({ telephonySessionId: sessionId, partyId });
    const session = await get(sessionUrl(sessionId));
    expect(session.id).toBe(sessionId);
    expect(session.origin).toEqual({ type: 'Call' });
    const agentParty = session.parties.find((p: any) => p.id === partyId);
    expect(agentParty).toMatchObject({
      direction: 'Inbound',
      status: { code: 'Answered' },
      muted: false,
      standAlone: false,
      to: { phoneNumber: AGENT_PHONE, name: 'Tom Sawyer', extensionId: String(w.agent.id) },
      from: { phoneNumber: CALLER },
      owner: { accountId: String(w.t.companyId), extensionId: String(w.agent.id) },
    });
    const callerParty = session.parties.find((p: any) => p.id !== partyId);
    expect(callerParty).toMatchObject({ direction: 'Outbound', status: { code: 'Answered' } });
    await w.sim.hangup((await answeredCall()).call.id);
  });

  it('hold/unhold answer CallParty; wrong-state hold/unhold → 409 with RingCentral’s error body', async () => {
    const { sessionId, partyId } = await answeredCall();
    const unholdFirst = await w.rc('POST', `${partyUrl(sessionId, partyId)}/unhold`, token);
    expect(unholdFirst.status).toBe(409);
    expectRcError(unholdFirst.body);
    const held = await w.rc('POST', `${partyUrl(sessionId, partyId)}/hold`, token);
    expect(held.status).toBe(200);
    expect(held.body.status.code).toBe('Hold');
    expect((await w.rc('POST', `${partyUrl(sessionId, partyId)}/hold`, token)).status).toBe(409);
    const p = await get(partyUrl(sessionId, partyId));
    expect(p.status.code).toBe('Hold');
    const back = await w.rc('POST', `${partyUrl(sessionId, partyId)}/unhold`, token);
    expect(back.status).toBe(200);
    expect(back.body.status.code).toBe('Answered');
  });

  it('mute with PATCH, recording start (201) and pause/resume', async () => {
    const { sessionId, partyId } = await answeredCall();
    const muted = await w.rc('PATCH', partyUrl(sessionId, partyId), token, { muted: true });
    expect(muted.status).toBe(200);
    expect(muted.body.muted).toBe(true);
    const rec = await w.rc('POST', `${partyUrl(sessionId, partyId)}/recordings`, token);
    expect(rec.status).toBe(201);
    expect(rec.body.active).toBe(true);
    expect((await w.rc('POST', `${partyUrl(sessionId, partyId)}/recordings`, token)).status).toBe(409);
    const paused = await w.rc('PATCH', `${partyUrl(sessionId, partyId)}/recordings/${rec.body.id}`, token, {
      active: false,
    });
    expect(paused.status).toBe(200);
    expect(paused.body).toEqual({ id: rec.body.id, active: false });
    const unknownRec = await w.rc('PATCH', `${partyUrl(sessionId, partyId)}/recordings/nope`, token, {
      active: true,
    });
    expect(unknownRec.status).toBe(404);
    const party = await get(partyUrl(sessionId, partyId));
    expect(party.recordings).toEqual([{ id: rec.body.id, active: false }]);
    await w.rc('PATCH', `${partyUrl(sessionId, partyId)}/recordings/${rec.body.id}`, token, { active: true });
    await w.rc('PATCH', partyUrl(sessionId, partyId), token, { muted: false });
    // Each is a step of the call's journey, in the order it happened (docs/call-flow-events.md).
    const v3 = await w.t.api('GET', `/api/v3/calls/${sessionId}.json?call_flow_events=true`);
    const steps = (v3.body.call.call_flow_events as { type: string; details: any }[]).filter((e) =>
      /^(recording_|muted|unmuted)/.test(e.type),
    );
    expect(steps.map((e) => [e.type, e.details.action ?? e.details.leg_id])).toEqual([
      ['muted', partyId],
      ['recording_started', 'start'],
      ['recording_paused', 'pause'],
      ['recording_resumed', 'resume'],
      ['unmuted', partyId],
    ]);
  });

  it('transfer to a phone number: the agent leaves, the transferee answers and has the caller', async () => {
    await w.sim.endpoint(OTHER_PHONE, { answer_after_s: 1 });
    const { sessionId, partyId, call } = await answeredCall();
    const res = await w.rc('POST', `${partyUrl(sessionId, partyId)}/transfer`, token, {
      phoneNumber: OTHER_PHONE,
    });
    expect(res.status).toBe(200);
    expect(res.body.status.code).toBe('Disconnected');
    await w.sim.advance(2);
    const session = await get(sessionUrl(sessionId));
    const transferee = session.parties.find((p: any) => p.to?.phoneNumber === OTHER_PHONE);
    expect(transferee).toMatchObject({
      status: { code: 'Answered' },
      to: { extensionId: String(w.other.id) },
    });
    expect((await w.sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: OTHER_PHONE });
    // A gone party takes no more actions.
    const again = await w.rc('POST', `${partyUrl(sessionId, partyId)}/hold`, token);
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('gone');
    const missing = await w.rc('POST', `${partyUrl(sessionId, transferee.id)}/transfer`, token, {});
    expect(missing.status).toBe(400);
    expectRcError(missing.body, 'CMN-101');
    await w.sim.hangup(call.id);
  });

  it('transfer by extension number', async () => {
    await w.sim.endpoint(OTHER_PHONE, { answer_after_s: 1 });
    const { sessionId, partyId, call } = await answeredCall();
    const res = await w.rc('POST', `${partyUrl(sessionId, partyId)}/transfer`, token, {
      extensionNumber: '102',
    });
    expect(res.status).toBe(200);
    await w.sim.advance(2);
    expect((await w.sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: OTHER_PHONE });
    await w.sim.hangup(call.id);
  });

  it('drop a party (DELETE → 204) ends the call; the session then shows everyone Disconnected', async () => {
    const { sessionId, partyId } = await answeredCall();
    const res = await fetch(`${w.server}${partyUrl(sessionId, partyId)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(204);
    await w.sim.advance(1);
    const session = await get(sessionUrl(sessionId));
    expect(session.parties.every((p: any) => p.status.code === 'Disconnected')).toBe(true);
    const late = await w.rc('POST', `${partyUrl(sessionId, partyId)}/unhold`, token);
    expect(late.status).toBe(409);
  });

  it('DELETE session drops the whole call', async () => {
    const { sessionId } = await answeredCall();
    const res = await sdk.platform().delete(sessionUrl(sessionId));
    expect(res.status).toBe(204);
    await w.sim.advance(1);
    const session = await get(sessionUrl(sessionId));
    expect(session.parties.every((p: any) => p.status.code === 'Disconnected')).toBe(true);
    const again = await w.rc('DELETE', sessionUrl(sessionId), token);
    expect(again.status).toBe(409);
  });

  it('reject and forward act before answer only', async () => {
    await w.sim.endpoint(AGENT_PHONE, { answer_after_s: 30 });
    const call = await w.sim.call(CALLER, w.trackingNumber);
    await w.sim.advance(1);
    const session = await get(sessionUrl(call.call_uuid));
    const ringing = session.parties.find((p: any) => p.to?.phoneNumber === AGENT_PHONE);
    expect(ringing.status.code).toBe('Proceeding');
    const rej = await fetch(`${w.server}${partyUrl(call.call_uuid, ringing.id)}/reject`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(rej.status).toBe(204);
    await w.sim.advance(1);
    const after = await get(partyUrl(call.call_uuid, ringing.id));
    expect(after.status).toMatchObject({ code: 'Disconnected', reason: 'Rejected' });
    await w.sim.endpoint(AGENT_PHONE, { answer_after_s: 2 });
    const answered = await answeredCall();
    const fwd = await w.rc('POST', `${partyUrl(answered.sessionId, answered.partyId)}/reject`, token);
    expect(fwd.status).toBe(409);
    await w.sim.hangup(answered.call.id);
  });

  it('unknown session and party ids, another account’s session → 404', async () => {
    const { sessionId } = await answeredCall();
    for (const url of [
      sessionUrl('00000000-0000-0000-0000-000000000000'),
      sessionUrl('bad%20id'),
      partyUrl(sessionId, 'nope'),
    ]) {
      const res = await w.rc('GET', url, token);
      expect(res.status, url).toBe(404);
      expectRcError(res.body, 'CMN-102');
    }
    expect((await w.rc('POST', `${partyUrl(sessionId, 'nope')}/hold`, token)).status).toBe(404);
    const other = await w.t.addTenant();
    const res = await w.rc(
      'GET',
      `/restapi/v1.0/account/${other.companyId}/telephony/sessions/${sessionId}`,
      token,
    );
    expect(res.status).toBe(404);
    // The other company's user, signed in, cannot see this company's session.
    await w.t.api(
      'POST',
      '/users.json',
      { user: { email: 'eve@example.com', extension_number: '1', password: 'eve-password' } },
      { key: other.key },
    );
    const app = (
      await w.t.api('POST', '/oauth_apps.json', { oauth_app: { name: 'eve' } }, { key: other.key })
    ).body.oauth_app;
    const tok = await fetch(`${w.server}/restapi/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`,
      },
      body: 'grant_type=password&username=eve%40example.com&password=eve-password',
    });
    const eve = (await tok.json()).access_token;
    const seen = await w.rc('GET', sessionUrl(sessionId), eve);
    expect(seen.status).toBe(404);
    expect((await w.rc('POST', `${partyUrl(sessionId, 'x')}/hold`, eve)).status).toBe(404);
  });

  it('park (201 Parked, presence ParkedCall) and pickup (201 Answered); wrong states → 409', async () => {
    const { sessionId, partyId, call } = await answeredCall();
    expect((await w.rc('POST', `${partyUrl(sessionId, partyId)}/pickup`, token)).status).toBe(409);
    const parked = await w.rc('POST', `${partyUrl(sessionId, partyId)}/park`, token);
    expect(parked.status).toBe(201);
    expect(parked.body).toMatchObject({ status: { code: 'Parked' }, park: { id: expect.any(String) } });
    expect((await w.rc('POST', `${partyUrl(sessionId, partyId)}/park`, token)).status).toBe(409);
    const presence = await get('/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=true');
    expect(presence.telephonyStatus).toBe('ParkedCall');
    const picked = await w.rc('POST', `${partyUrl(sessionId, partyId)}/pickup`, token);
    expect(picked.status).toBe(201);
    expect(picked.body.status.code).toBe('Answered');
    await w.sim.hangup(call.id);
  });

  it('actions the sim cannot do: the state rule first (409), then 403 FeatureNotAvailable', async () => {
    const { sessionId, partyId, call } = await answeredCall();
    // Forward, answer and reply act before answer only.
    for (const a of ['forward', 'answer', 'reply']) {
      const res = await w.rc('POST', `${partyUrl(sessionId, partyId)}/${a}`, token, {
        phoneNumber: OTHER_PHONE,
        deviceId: String(w.agent.id),
      });
      expect(res.status, a).toBe(409);
    }
    for (const a of ['bridge', 'flip', 'supervise']) {
      const res = await w.rc('POST', `${partyUrl(sessionId, partyId)}/${a}`, token, {});
      expect(res.status, a).toBe(403);
      expectRcError(res.body, 'FeatureNotAvailable');
    }
    const vm = await w.rc('POST', `${partyUrl(sessionId, partyId)}/transfer`, token, {
      voicemail: String(w.other.id),
    });
    expect(vm.status).toBe(403);
    expectRcError(vm.body, 'FeatureNotAvailable');
    const orbit = await w.rc('POST', `${partyUrl(sessionId, partyId)}/transfer`, token, { parkOrbit: '1' });
    expect(orbit.status).toBe(403);
    for (const url of [`${sessionUrl(sessionId)}/supervise`, `${sessionUrl(sessionId)}/parties/bring-in`]) {
      const res = await w.rc('POST', url, token, {});
      expect(res.status, url).toBe(403);
    }
    expect((await w.rc('POST', `${sessionUrl('unknown')}/supervise`, token, {})).status).toBe(404);
    await w.sim.hangup(call.id);
    await w.sim.endpoint(AGENT_PHONE, { answer_after_s: 30 });
    const ringing = await w.sim.call(CALLER, w.trackingNumber);
    await w.sim.advance(1);
    const party = (await get(sessionUrl(ringing.call_uuid))).parties.find(
      (p: any) => p.to?.phoneNumber === AGENT_PHONE,
    );
    const reply = await w.rc('POST', `${partyUrl(ringing.call_uuid, party.id)}/reply`, token, {
      replyWithText: 'later',
    });
    expect(reply.status).toBe(403);
    expectRcError(reply.body, 'FeatureNotAvailable');
    await w.sim.hangup(ringing.id);
    await w.sim.endpoint(AGENT_PHONE, { answer_after_s: 2 });
  });

  it('forward a ringing party: its phone stops (CallRedirected), the new number rings and gets the caller', async () => {
    await w.sim.endpoint(AGENT_PHONE, { answer_after_s: 30 });
    await w.sim.endpoint(OTHER_PHONE, { answer_after_s: 2 });
    const call = await w.sim.call(CALLER, w.trackingNumber);
    await w.sim.advance(1);
    const party = (await get(sessionUrl(call.call_uuid))).parties.find(
      (p: any) => p.to?.phoneNumber === AGENT_PHONE,
    );
    const url = `${partyUrl(call.call_uuid, party.id)}/forward`;
    for (const [body, status, code] of [
      [{}, 400, 'CMN-101'],
      [{ phoneNumber: 'nope' }, 400, 'CMN-101'],
      [{ extensionNumber: '999' }, 400, 'CMN-101'],
      [{ extensionId: '999999' }, 400, 'CMN-101'],
      [{ voicemail: String(w.agent.id) }, 403, 'FeatureNotAvailable'],
    ] as const) {
      const res = await w.rc('POST', url, token, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expectRcError(res.body, code);
    }
    const res = await w.rc('POST', url, token, { extensionNumber: '102' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: party.id,
      status: { code: 'Disconnected', reason: 'CallRedirected' },
    });
    let session = await get(sessionUrl(call.call_uuid));
    const other = session.parties.find((p: any) => p.to?.phoneNumber === OTHER_PHONE);
    expect(other).toMatchObject({
      status: { code: 'Proceeding' },
      owner: { extensionId: String(w.other.id) },
    });
    expect((await w.rc('POST', url, token, { phoneNumber: OTHER_PHONE })).status).toBe(409);
    await w.sim.advance(2);
    session = await get(sessionUrl(call.call_uuid));
    expect(session.parties.find((p: any) => p.id === other.id).status.code).toBe('Answered');
    expect((await w.sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: OTHER_PHONE });
    await w.sim.hangup(call.id);
    await w.sim.endpoint(AGENT_PHONE, { answer_after_s: 2 });
  });

  it('answer a ringing party on the user’s device: Answered at once, the caller connected', async () => {
    await w.sim.endpoint(AGENT_PHONE, { answer_after_s: 30 });
    const call = await w.sim.call(CALLER, w.trackingNumber);
    await w.sim.advance(1);
    const party = (await get(sessionUrl(call.call_uuid))).parties.find(
      (p: any) => p.to?.phoneNumber === AGENT_PHONE,
    );
    const url = `${partyUrl(call.call_uuid, party.id)}/answer`;
    const missing = await w.rc('POST', url, token, {});
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].parameterName).toBe('deviceId');
    const notMine = await w.rc('POST', url, token, { deviceId: String(w.other.id) });
    expect(notMine.status).toBe(404);
    expectRcError(notMine.body, 'CMN-102');
    const res = await w.rc('POST', url, token, { deviceId: String(w.agent.id) });
    expect(res.status).toBe(200);
    expect(res.body.status.code).toBe('Answered');
    expect((await w.sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: AGENT_PHONE });
    expect((await w.rc('POST', url, token, { deviceId: String(w.agent.id) })).status).toBe(409);
    await w.sim.hangup(call.id);
    await w.sim.endpoint(AGENT_PHONE, { answer_after_s: 2 });
  });
});
