import type { SDK } from '@ringcentral/sdk';
import { Subscriptions } from '@ringcentral/subscriptions';
import { RingCentralCallControl } from 'ringcentral-call-control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CALLER, OTHER_PHONE, type RcWorld, rcWorld } from './harness.js';
import { expectSpec } from './spec.js';

let w: RcWorld;
let sdk: SDK;
beforeAll(async () => {
  w = await rcWorld();
  sdk = await w.sdk();
});
afterAll(async () => w.close());

const ACCOUNT_SESSIONS = '/restapi/v1.0/account/~/telephony/sessions';
const MY_SESSIONS = '/restapi/v1.0/account/~/extension/~/telephony/sessions';

async function until<T>(what: string, fn: () => T | undefined | false, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const settle = () => w.t.app.notifier.idle();

describe('WebSocket subscriptions through @ringcentral/subscriptions', () => {
  it('wstoken answers WsTokenResponse', async () => {
    const body = await (await sdk.platform().post('/restapi/oauth/wstoken')).json();
    expectSpec('POST', '/restapi/oauth/wstoken', 200, body);
    expect(body.uri).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/restapi\/ws$/);
    expect(body.expires_in).toBeGreaterThan(0);
  });

  it('notifications reach the package, and ringcentral-call-control fed by them drives the call', async () => {
    const subscriptions = new Subscriptions({ sdk });
    const sub = subscriptions.createSubscription();
    const events: any[] = [];
    sub.on(sub.events.notification, (e: any) => events.push(e));
    const info = await sub.setEventFilters([MY_SESSIONS]).register();
    expect(info.subscriptionInfo?.deliveryMode?.transportType).toBe('WebSocket');

    const cc = new RingCentralCallControl({ sdk: sdk as any, preloadDevices: true, preloadSessions: true });
    await new Promise<void>((r) => cc.on('initialized', () => r()));
    expect(cc.extensionId).toBe(String(w.agent.id));
    expect(cc.devices.map((d: any) => d.id)).toEqual([String(w.agent.id)]);
    sub.on(sub.events.notification, (e: any) => cc.onNotificationEvent(e));
    const seen: any[] = [];
    cc.on('new', (s: any) => seen.push(s));

    const call = await w.sim.call(CALLER, w.trackingNumber);
    await w.sim.advance(3);
    await settle();
    const session = await until('a session in call-control', () => seen[0]);
    expect(session.id).toBe(call.call_uuid);
    await until('Answered', () => session.party?.status.code === 'Answered');
    expect(events[0]).toMatchObject({
      event: `/restapi/v1.0/account/${w.t.companyId}/extension/${w.agent.id}/telephony/sessions`,
      body: { telephonySessionId: call.call_uuid },
    });
    expect(events.map((e) => e.body.parties[0].status.code)).toEqual(['Proceeding', 'Answered']);

    await session.hold();
    await settle();
    await until('Hold', () => session.party.status.code === 'Hold');
    await session.unhold();
    await settle();
    await until('Answered again', () => session.party.status.code === 'Answered');
    await session.mute();
    expect(session.party.muted).toBe(true);
    await session.unmute();
    const rec = await session.createRecord();
    expect(rec.active).toBe(true);
    const paused = await session.pauseRecord(rec.id);
    expect(paused.active).toBe(false);

    await w.sim.endpoint(OTHER_PHONE, { answer_after_s: 1 });
    await session.transfer({ phoneNumber: OTHER_PHONE });
    await w.sim.advance(2);
    await settle();
    await until('Disconnected after transfer', () => session.party.status.code === 'Disconnected');
    expect((await w.sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: OTHER_PHONE });
    await w.sim.hangup(call.id);

    // A second call, dropped from call-control.
    const call2 = await w.sim.call(CALLER, w.trackingNumber);
    await w.sim.advance(3);
    await settle();
    const s2 = await until('second session', () => seen.find((s) => s.id === call2.call_uuid));
    await until('Answered', () => s2.party?.status.code === 'Answered');
    await s2.drop();
    await w.sim.advance(1);
    await settle();
    await until('dropped', () => s2.party.status.code === 'Disconnected');
    expect((await w.sim.show(call2.id)).legs.every((l: any) => l.state === 'ended')).toBe(true);
    // Stops the package's auto-recover timer too, so nothing dials the server after it stops.
    await (info.wse as unknown as { revoke(): Promise<void> }).revoke();
  });
});

/** The gateway's frames, by hand: what @rc-ex/ws expects on the wire. */
describe('the WebSocket gateway protocol', () => {
  async function open(query: string) {
    const wsToken = await (await sdk.platform().post('/restapi/oauth/wstoken')).json();
    const socket = new WebSocket(`${wsToken.uri}?access_token=${wsToken.ws_access_token}${query}`);
    const frames: any[] = [];
    socket.on('message', (d) => frames.push(JSON.parse(String(d))));
    await until('ConnectionDetails', () => frames.find((f) => f[0].type === 'ConnectionDetails'));
    return { socket, frames };
  }
  const request = async (
    c: { socket: WebSocket; frames: any[] },
    id: string,
    method: string,
    path: string,
    body?: unknown,
  ) => {
    c.socket.send(
      JSON.stringify([
        { type: 'ClientRequest', messageId: id, method, path, headers: {} },
        ...(body ? [body] : []),
      ]),
    );
    return until(`answer to ${id}`, () => c.frames.find((f) => f[0].messageId === id));
  };

  it('opens with ConnectionDetails, answers Heartbeat and ClientRequest with the same messageId', async () => {
    const c = await open('');
    const [meta, details] = c.frames[0];
    expect(meta.wsc).toMatchObject({ token: expect.any(String), sequence: 1 });
    expect(details).toMatchObject({ recoveryTimeout: expect.any(Number), idleTimeout: expect.any(Number) });
    expect(details.recoveryState).toBeUndefined();
    c.socket.send(JSON.stringify([{ type: 'Heartbeat', messageId: 'hb-1' }]));
    const hb = await until('heartbeat', () => c.frames.find((f) => f[0].messageId === 'hb-1'));
    expect(hb[0]).toMatchObject({ type: 'Heartbeat', status: 200 });
    const ext = await request(c, 'r-1', 'GET', '/restapi/v1.0/account/~/extension/~');
    expect(ext[0]).toMatchObject({ type: 'ClientRequest', status: 200 });
    expect(ext[1].id).toBe(w.agent.id);
    const missing = await request(c, 'r-2', 'GET', '/restapi/v1.0/account/~/telephony/sessions/nope');
    expect(missing[0].status).toBe(404);
    expect(missing[1].errorCode).toBe('CMN-102');
    c.socket.close();
  });

  it('refuses a bad access_token with an Error frame', async () => {
    const socket = new WebSocket(`${w.server.replace('http', 'ws')}/restapi/ws?access_token=nope`);
    const frames: any[] = [];
    socket.on('message', (d) => frames.push(JSON.parse(String(d))));
    await until('Error', () => frames[0]);
    expect(frames[0][0]).toMatchObject({ type: 'Error', status: 401 });
  });

  it('a reconnect with wsc inside recoveryTimeout replays what was missed; after it, recovery fails', async () => {
    const c = await open('');
    const wsc = c.frames[0][0].wsc.token;
    const created = await request(c, 's-1', 'POST', '/restapi/v1.0/subscription', {
      eventFilters: [ACCOUNT_SESSIONS],
      deliveryMode: { transportType: 'WebSocket' },
    });
    expect(created[0].status).toBe(200);
    c.socket.close();
    await until('closed', () => c.socket.readyState === WebSocket.CLOSED);
    await new Promise((r) => setTimeout(r, 50));
    const call = await w.sim.call(CALLER, w.trackingNumber);
    await w.sim.advance(3);
    await settle();
    const back = await open(`&wsc=${wsc}`);
    expect(back.frames[0][1].recoveryState).toBe('Successful');
    const replayed = await until('replayed', () => {
      const n = back.frames.filter((f) => f[0].type === 'ServerNotification');
      return n.length >= 2 && n;
    });
    expect(replayed.map((f: any) => f[1].body.parties[0].status.code)).toEqual(['Proceeding', 'Answered']);
    expect(replayed[0][1].subscriptionId).toBe(created[1].id);
    const seqs = back.frames.map((f) => f[0].wsc.sequence);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    await w.sim.hangup(call.id);
    back.socket.close();
    await until('closed', () => back.socket.readyState === WebSocket.CLOSED);
    await new Promise((r) => setTimeout(r, 50));
    await w.t.clock.advance(181 * 1000);
    const late = await open(`&wsc=${wsc}`);
    expect(late.frames[0][1].recoveryState).toBe('Failed');
    late.socket.close();
  });
});
