import type { SDK } from '@ringcentral/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLER, expectRcError, type RcWorld, rcWorld } from './harness.js';

let w: RcWorld;
let sdk: SDK;
let token: string;
beforeAll(async () => {
  w = await rcWorld();
  sdk = await w.sdk();
  token = String((await sdk.platform().auth().data()).access_token);
});
afterAll(async () => w.close());

async function raw(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${w.server}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('hostile input on the RingCentral face', () => {
  it('malformed JSON, wrong types, huge numbers and NUL bytes get 4xx in RingCentral’s shape, never 5xx', async () => {
    const call = await w.sim.call(CALLER, w.trackingNumber);
    await w.sim.advance(3);
    const session = await (
      await sdk.platform().get(`/restapi/v1.0/account/~/telephony/sessions/${call.call_uuid}`)
    ).json();
    const party = session.parties.find((p: any) => p.owner);
    const partyUrl = `/restapi/v1.0/account/~/telephony/sessions/${call.call_uuid}/parties/${party.id}`;
    const json = { 'content-type': 'application/json' };
    const cases: [string, string, string | undefined, Record<string, string>?][] = [
      ['PATCH', partyUrl, '{"muted":', json],
      ['PATCH', partyUrl, '{"muted":"maybe"}', json],
      ['PATCH', partyUrl, '[1,2]', json],
      ['POST', `${partyUrl}/transfer`, '{"phoneNumber":"not a number"}', json],
      ['POST', `${partyUrl}/transfer`, '{"phoneNumber":"+1\\u0000555"}', json],
      ['POST', `${partyUrl}/transfer`, '{"extensionNumber":"9999"}', json],
      ['GET', '/restapi/v1.0/account/~/extension?page=1e309', undefined],
      ['GET', '/restapi/v1.0/account/~/extension?perPage=-1', undefined],
      ['GET', '/restapi/v1.0/account/~/extension/99999999999999999999', undefined],
      ['GET', '/restapi/v1.0/account/1e309', undefined],
      ['GET', '/restapi/v1.0/account/~/telephony/sessions/%00', undefined],
      [
        'POST',
        '/restapi/v1.0/subscription',
        '{"eventFilters":"x","deliveryMode":{"transportType":"WebHook"}}',
        json,
      ],
      [
        'POST',
        '/restapi/v1.0/subscription',
        '{"eventFilters":["/restapi/v1.0/account/~/telephony/sessions"],"deliveryMode":{"transportType":"WebHook","address":"http://127.0.0.1:1/x"},"expiresIn":99999999999999}',
        json,
      ],
      ['POST', '/restapi/v1.0/subscription', `{"eventFilters":["${'/a'.repeat(600)}"]}`, json],
      ['PUT', '/restapi/v1.0/subscription/%00', '{}', json],
      ['POST', `${partyUrl}/hold`, 'not json', json],
      ['POST', `${partyUrl}/hold`, '<xml/>', { 'content-type': 'application/xml' }],
    ];
    for (const [method, path, body, headers] of cases) {
      const res = await raw(method, path, body, headers);
      expect(res.status, `${method} ${path} ${body}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path} ${body}`).toBeLessThan(500);
      expectRcError(res.body);
    }
    // Nothing was half-done: the party is still answered and unmuted.
    const after = await (await sdk.platform().get(partyUrl)).json();
    expect(after).toMatchObject({ status: { code: 'Answered' }, muted: false });
    await w.sim.hangup(call.id);
  });

  it('the token endpoint answers bad bodies in OAuth’s shape', async () => {
    const basic = `Basic ${Buffer.from(`${w.clientId}:${w.clientSecret}`).toString('base64')}`;
    for (const [body, type] of [
      ['grant_type=password&username=%00&password=x', 'application/x-www-form-urlencoded'],
      ['{"grant_type":"password"}', 'application/json'],
      ['grant_type[]=password', 'application/x-www-form-urlencoded'],
    ]) {
      const res = await fetch(`${w.server}/restapi/oauth/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': type },
        body,
      });
      expect(res.status, body).toBeGreaterThanOrEqual(400);
      expect(res.status, body).toBeLessThan(500);
      const parsed = await res.json();
      expect(typeof (parsed.error ?? parsed.errorCode), body).toBe('string');
    }
    const bad = await fetch(`${w.server}/restapi/oauth/token`, {
      method: 'POST',
      headers: { authorization: 'Basic %%%', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password',
    });
    expect(bad.status).toBe(401);
  });
});
