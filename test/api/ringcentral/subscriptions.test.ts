import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SDK } from '@ringcentral/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLER, expectRcError, type RcWorld, rcWorld } from './harness.js';
import { expectSpec } from './spec.js';

/** A local WebHook receiver: echoes Validation-Token unless told otherwise, and keeps what it got. */
class Receiver {
  readonly got: { headers: IncomingMessage['headers']; body: any }[] = [];
  mode: 'echo' | 'no-echo' | 'not-found' | 'fail' = 'echo';
  private server!: Server;
  url = '';

  async start() {
    this.server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => {
        data += c;
      });
      req.on('end', () => {
        const token = req.headers['validation-token'];
        if (token) {
          if (this.mode === 'not-found') return res.writeHead(404).end();
          res.writeHead(200, this.mode === 'echo' ? { 'validation-token': String(token) } : {});
          return res.end();
        }
        if (this.mode === 'fail') return res.writeHead(500).end();
        this.got.push({ headers: req.headers, body: data ? JSON.parse(data) : undefined });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  close() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

let w: RcWorld;
let sdk: SDK;
let token: string;
const hook = new Receiver();
beforeAll(async () => {
  w = await rcWorld({ DELIVERY_ALLOW: '127.0.0.1' });
  sdk = await w.sdk();
  token = String((await sdk.platform().auth().data()).access_token);
  await hook.start();
});
afterAll(async () => {
  await w.close();
  await hook.close();
});

const ACCOUNT_SESSIONS = '/restapi/v1.0/account/~/telephony/sessions';
const MY_SESSIONS = '/restapi/v1.0/account/~/extension/~/telephony/sessions';
const MY_PRESENCE = '/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=true&sipData=true';

/** Lets the notifier and the delivery worker finish what the last steps started. */
async function settle(world: RcWorld) {
  for (let i = 0; i < 3; i++) {
    await world.t.app.notifier.idle();
    await world.t.app.delivery.worker.drain();
  }
}

async function until<T>(what: string, fn: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('WebHook subscriptions', () => {
  it('refuses a receiver that does not echo Validation-Token, or answers 404 (400 SUB-52x)', async () => {
    hook.mode = 'no-echo';
    const a = await w.rc('POST', '/restapi/v1.0/subscription', token, {
      eventFilters: [ACCOUNT_SESSIONS],
      deliveryMode: { transportType: 'WebHook', address: hook.url },
    });
    expect(a.status).toBe(400);
    expectRcError(a.body, 'SUB-522');
    hook.mode = 'not-found';
    const b = await w.rc('POST', '/restapi/v1.0/subscription', token, {
      eventFilters: [ACCOUNT_SESSIONS],
      deliveryMode: { transportType: 'WebHook', address: hook.url },
    });
    expectRcError(b.body, 'SUB-521');
    hook.mode = 'echo';
    expect((await w.rc('GET', '/restapi/v1.0/subscription', token)).body.records).toEqual([]);
  });

  it('refuses PubNub with a 400 that names WebHook and WebSocket; bad filters and addresses too', async () => {
    const res = await w.rc('POST', '/restapi/v1.0/subscription', token, {
      eventFilters: [ACCOUNT_SESSIONS],
      deliveryMode: { transportType: 'PubNub' },
    });
    expect(res.status).toBe(400);
    expectRcError(res.body);
    expect(res.body.message).toContain('WebHook');
    expect(res.body.message).toContain('WebSocket');
    const filter = await w.rc('POST', '/restapi/v1.0/subscription', token, {
      eventFilters: ['/restapi/v1.0/account/~/extension/~/message-store'],
      deliveryMode: { transportType: 'WebHook', address: hook.url },
    });
    expect(filter.status).toBe(400);
    const other = await w.rc('POST', '/restapi/v1.0/subscription', token, {
      eventFilters: ['/restapi/v1.0/account/999999/telephony/sessions'],
      deliveryMode: { transportType: 'WebHook', address: hook.url },
    });
    expect(other.status).toBe(400);
    const addr = await w.rc('POST', '/restapi/v1.0/subscription', token, {
      eventFilters: [ACCOUNT_SESSIONS],
      deliveryMode: { transportType: 'WebHook', address: 'ftp://x' },
    });
    expect(addr.status).toBe(400);
    const ws = await w.rc('POST', '/restapi/v1.0/subscription', token, {
      eventFilters: [ACCOUNT_SESSIONS],
      deliveryMode: { transportType: 'WebSocket' },
    });
    expect(ws.status).toBe(400);
  });

  it('notifies every party status change of a call, in order, with the seed’s envelope', async () => {
    const created = await (
      await sdk.platform().post('/restapi/v1.0/subscription', {
        eventFilters: [ACCOUNT_SESSIONS, MY_SESSIONS, MY_PRESENCE],
        deliveryMode: { transportType: 'WebHook', address: hook.url },
        expiresIn: 3600,
      })
    ).json();
    expectSpec('POST', '/restapi/v1.0/subscription', 200, created);
    expect(created).toMatchObject({
      status: 'Active',
      expiresIn: 3600,
      deliveryMode: { transportType: 'WebHook', address: hook.url },
    });
    hook.got.length = 0;
    const call = await w.sim.call(CALLER, w.trackingNumber);
    await w.sim.advance(3);
    await settle(w);
    const sessionEvents = () =>
      hook.got.filter((n) => n.body.event === `/restapi/v1.0/account/${w.t.companyId}/telephony/sessions`);
    await until('Answered', () =>
      sessionEvents().find((n) => n.body.body.parties[0].status.code === 'Answered'),
    );
    const first = sessionEvents()[0].body;
    expect(first).toMatchObject({
      subscriptionId: created.id,
      ownerId: String(w.agent.id),
      body: {
        telephonySessionId: call.call_uuid,
        accountId: String(w.t.companyId),
        origin: { type: 'Call' },
        serverId: expect.any(String),
        sessionId: expect.any(String),
      },
    });
    expect(typeof first.uuid).toBe('string');
    expect(Date.parse(first.timestamp)).toBeGreaterThan(0);
    expect(Date.parse(first.body.eventTime)).toBeGreaterThan(0);
    const partyId = first.body.parties[0].id;
    await w.rc('POST', `${ACCOUNT_SESSIONS}/${call.call_uuid}/parties/${partyId}/hold`, token);
    await w.rc('POST', `${ACCOUNT_SESSIONS}/${call.call_uuid}/parties/${partyId}/unhold`, token);
    await w.sim.hangup(call.id);
    await w.sim.advance(1);
    await settle(w);
    await until(
      'Disconnected',
      () => sessionEvents().filter((n) => n.body.body.parties[0].status.code === 'Disconnected').length >= 2,
    );
    const codes = sessionEvents()
      .filter((n) => n.body.body.parties[0].id === partyId)
      .map((n) => n.body.body.parties[0].status.code);
    expect(codes).toEqual(['Proceeding', 'Answered', 'Hold', 'Answered', 'Disconnected']);
    const seqs = sessionEvents().map((n) => n.body.body.sequence);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
    // The extension-level filter names the extension and hears only its own parties.
    const mine = hook.got.filter(
      (n) =>
        n.body.event === `/restapi/v1.0/account/${w.t.companyId}/extension/${w.agent.id}/telephony/sessions`,
    );
    expect(mine.length).toBe(5);
    expect(
      mine.every(
        (n) => n.body.body.parties[0].id === partyId && n.body.body.extensionId === String(w.agent.id),
      ),
    ).toBe(true);
    // Detailed presence follows the agent's telephony status.
    const presence = hook.got.filter((n) => n.body.event.includes('/presence?'));
    expect(presence.map((n) => n.body.body.telephonyStatus)).toEqual([
      'Ringing',
      'CallConnected',
      'OnHold',
      'CallConnected',
      'NoCall',
    ]);
    expect(presence[1].body.body.activeCalls[0]).toMatchObject({
      telephonySessionId: call.call_uuid,
      partyId,
    });
    await sdk.platform().delete(`/restapi/v1.0/subscription/${created.id}`);
  });

  it('retries a failing receiver through the outbox until it takes the notification', async () => {
    const sub = (
      await w.rc('POST', '/restapi/v1.0/subscription', token, {
        eventFilters: [MY_SESSIONS],
        deliveryMode: { transportType: 'WebHook', address: hook.url },
      })
    ).body;
    hook.got.length = 0;
    hook.mode = 'fail';
    const call = await w.sim.call(CALLER, w.trackingNumber);
    await w.sim.advance(3);
    await settle(w);
    expect(hook.got).toHaveLength(0);
    hook.mode = 'echo';
    await w.t.clock.advance(15 * 60 * 1000);
    await settle(w);
    await until('retried notifications', () => hook.got.length >= 2);
    expect(hook.got.map((n) => n.body.body.parties[0].status.code).sort()).toEqual([
      'Answered',
      'Proceeding',
    ]);
    await w.sim.hangup(call.id);
    await w.rc('DELETE', `/restapi/v1.0/subscription/${sub.id}`, token);
  });

  it('GET, PUT, renew, DELETE; expiry by the clock; unknown and other users’ ids → 404', async () => {
    const created = (
      await w.rc('POST', '/restapi/v1.0/subscription', token, {
        eventFilters: [MY_SESSIONS],
        deliveryMode: { transportType: 'WebHook', address: hook.url },
        expiresIn: 600,
      })
    ).body;
    const url = `/restapi/v1.0/subscription/${created.id}`;
    const got = await w.rc('GET', url, token);
    expect(got.body.id).toBe(created.id);
    const list = await w.rc('GET', '/restapi/v1.0/subscription', token);
    expect(list.body.records.map((r: any) => r.id)).toContain(created.id);
    const put = await w.rc('PUT', url, token, { eventFilters: [ACCOUNT_SESSIONS], expiresIn: 1200 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ eventFilters: [ACCOUNT_SESSIONS], expiresIn: 1200 });
    await w.t.clock.advance(1000 * 1000);
    const renewed = await w.rc('POST', `${url}/renew`, token);
    expect(renewed.status).toBe(200);
    expect(renewed.body.expiresIn).toBe(1200);
    await w.t.clock.advance(1201 * 1000);
    expect((await w.rc('GET', url, token)).status).toBe(404);
    expect((await w.rc('POST', `${url}/renew`, token)).status).toBe(404);
    const live = (
      await w.rc('POST', '/restapi/v1.0/subscription', token, {
        eventFilters: [MY_SESSIONS],
        deliveryMode: { transportType: 'WebHook', address: hook.url },
      })
    ).body;
    // Huck (another extension of the account) cannot see Tom's subscription.
    const huck = await fetch(`${w.server}/restapi/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${w.clientId}:${w.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'password',
        username: w.other.email,
        password: 'switchboard-pw',
      }).toString(),
    });
    const huckToken = (await huck.json()).access_token;
    expect((await w.rc('GET', `/restapi/v1.0/subscription/${live.id}`, huckToken)).status).toBe(404);
    expect((await w.rc('DELETE', `/restapi/v1.0/subscription/${live.id}`, huckToken)).status).toBe(404);
    const del = await w.rc('DELETE', `/restapi/v1.0/subscription/${live.id}`, token);
    expect(del.status).toBe(204);
    expect((await w.rc('GET', `/restapi/v1.0/subscription/${live.id}`, token)).status).toBe(404);
    expect((await w.rc('GET', '/restapi/v1.0/subscription/nope', token)).status).toBe(404);
  });
});
