import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STATUS_OF } from '../../../../src/api/retreaver/call-control/present.js';
import type { CallControlCode } from '../../../../src/domain/call-control.js';
import { type CcHarness, ccHarness } from './harness.js';

const CALL = 'e64268f8-18a3-4881-b8ed-80e06b17fa74';
const TRANSFER = '7df81876-6e46-4b50-945e-7f5ad97a555e';

let h: CcHarness;
let targetId: number;
let all: string;
beforeAll(async () => {
  h = await ccHarness();
  targetId = await h.target('+14166686980');
  all = (await h.key({ target_id: targetId })).key;
});
afterAll(async () => h.close());
beforeEach(() => {
  h.fake.received.length = 0;
  h.fake.failWith = undefined;
});

describe('Call Control API: authentication', () => {
  it('answers 401 "not authorized" without a key or with an unknown one, in JSON and XML', async () => {
    for (const key of [undefined, 'woofwoofwoof']) {
      const res = await h.call('GET', '/active_calls.json', { key });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ success: false, error: 'not authorized' });
    }
    const xml = await h.call('GET', '/active_calls.xml', { key: 'woofwoofwoof' });
    expect(xml.status).toBe(401);
    expect(xml.headers['content-type']).toContain('text/xml');
    expect(xml.text).toContain('<response>');
    expect(xml.text).toContain('<success type="boolean">false</success>');
    expect(xml.text).toContain('<error>not authorized</error>');
  });

  it('refuses before looking at the body: no key → 401 even with a bad body, and the engine is not asked', async () => {
    const res = await h.call('POST', `/calls/${CALL}/transfer.json`, { body: { nonsense: true } });
    expect(res.status).toBe(401);
    expect(h.fake.received).toEqual([]);
  });

  it('takes the key from the query, the body, a Bearer token or X-Api-Key', async () => {
    expect((await h.call('GET', '/active_calls.json', { key: all })).status).toBe(200);
    expect(
      (await h.call('GET', '/active_calls.json', { headers: { authorization: `Bearer ${all}` } })).status,
    ).toBe(200);
    expect((await h.call('GET', '/active_calls.json', { headers: { 'x-api-key': all } })).status).toBe(200);
    const body = await h.call('POST', `/transfers/${TRANSFER}/conference_caller.json`, {
      body: { api_key: all },
    });
    expect(body.status).toBe(200);
    const form = await h.call('POST', `/calls/${CALL}/transfer.json`, {
      rawBody: `api_key=${all}&hold_caller=true&transfer_to=%2B18668987878`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(200);
    expect(h.fake.received.at(-1)?.req).toEqual({ holdCaller: true, transferTo: '+18668987878' });
  });

  it('answers 403 "not authorized" for an action the key does not allow, without asking the engine', async () => {
    const { key } = await h.key({ target_id: targetId, actions: ['active_calls'] });
    expect((await h.call('GET', '/active_calls.json', { key })).status).toBe(200);
    const routes: [string, string][] = [
      ['POST', `/calls/${CALL}/transfer.json`],
      ['POST', `/transfers/${TRANSFER}/conference_caller.json`],
      ['DELETE', `/transfers/${TRANSFER}.json`],
      ['POST', `/calls/${CALL}/return.json`],
      ['POST', `/calls/${CALL}/accept.json`],
    ];
    for (const [method, path] of routes) {
      const res = await h.call(method, path, { key, body: { transfer_to: '+18668987878' } });
      expect(res.status, path).toBe(403);
      expect(res.body).toEqual({ success: false, error: 'not authorized' });
    }
    const { key: transferOnly } = await h.key({ target_id: targetId, actions: ['transfer'] });
    expect((await h.call('GET', '/active_calls.json', { key: transferOnly })).status).toBe(403);
    expect(h.fake.received).toEqual([]);
  });

  it('refuses a key whose target was deleted (401)', async () => {
    const doomed = await h.target();
    const { key } = await h.key({ target_id: doomed });
    expect((await h.call('GET', '/active_calls.json', { key })).status).toBe(200);
    await h.t.api('DELETE', `/targets/${doomed}.json`);
    expect((await h.call('GET', '/active_calls.json', { key })).status).toBe(401);
  });

  it('does not accept a Core API key, nor a call-control key on the Core API', async () => {
    expect((await h.call('GET', '/active_calls.json', { key: h.t.key })).status).toBe(401);
    expect((await h.t.api('GET', '/targets.json', undefined, { key: all })).status).toBe(401);
  });

  it('answers unknown paths 404, wrong verbs 405 and other formats 406 in its own shape', async () => {
    const missing = await h.call('GET', '/calls.json', { key: all });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ success: false, error: 'not found' });
    const verb = await h.call('GET', `/calls/${CALL}/transfer.json`, { key: all });
    expect(verb.status).toBe(405);
    expect(verb.headers.allow).toBe('POST');
    const csv = await h.call('GET', '/active_calls.csv', { key: all });
    expect(csv.status).toBe(406);
    expect(csv.body).toEqual({ success: false, error: 'not acceptable' });
  });
});

describe("Call Control API: actions reach the engine with the key's scope", () => {
  it('transfers (hold_caller as boolean or string, E.164 or SIP) and answers the transfer_uuid', async () => {
    const res = await h.call('POST', `/calls/${CALL}/transfer.json`, {
      key: all,
      body: { hold_caller: true, transfer_to: '+18668987878' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, transfer_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const [got] = h.fake.received;
    expect(got).toMatchObject({
      method: 'transfer',
      id: CALL,
      req: { holdCaller: true, transferTo: '+18668987878' },
    });
    expect(got.scope).toMatchObject({
      targetId,
      targetGroupId: null,
      targetIds: [targetId],
      numbers: ['+14166686980'],
      returnTimeoutSeconds: 30,
    });

    await h.call('POST', `/calls/${CALL}/transfer.json`, {
      key: all,
      body: { hold_caller: 'false', transfer_to: '(866) 898-7878' },
    });
    await h.call('POST', `/calls/${CALL}/transfer.json`, {
      key: all,
      body: { transfer_to: 'sip:agent@pbx.example.com' },
    });
    expect(h.fake.received.slice(1).map((r) => r.req)).toEqual([
      { holdCaller: false, transferTo: '+18668987878' },
      { holdCaller: false, transferTo: 'sip:agent@pbx.example.com' },
    ]);
  });

  it('answers XML with a <response> root', async () => {
    const res = await h.call('POST', `/calls/${CALL}/transfer.xml`, {
      key: all,
      body: { transfer_to: '+18668987878' },
    });
    expect(res.headers['content-type']).toContain('text/xml');
    expect(res.text).toContain('<success type="boolean">true</success>');
    expect(res.text).toMatch(/<transfer-uuid>[0-9a-f-]{36}<\/transfer-uuid>/);
  });

  it('refuses a missing, blank or malformed transfer_to and unknown attributes with 400', async () => {
    const missing = await h.call('POST', `/calls/${CALL}/transfer.json`, {
      key: all,
      body: { hold_caller: true },
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      success: false,
      error: "transfer_to can't be blank",
      errors: { transfer_to: ["can't be blank"] },
    });
    const none = await h.call('POST', `/calls/${CALL}/transfer.json`, { key: all });
    expect(none.body.error).toBe("transfer_to can't be blank");
    const blank = await h.call('POST', `/calls/${CALL}/transfer.json`, {
      key: all,
      body: { transfer_to: ' ' },
    });
    expect(blank.body.error).toBe("transfer_to can't be blank");
    for (const bad of ['12', 'call me', 'sip:nobody']) {
      const res = await h.call('POST', `/calls/${CALL}/transfer.json`, {
        key: all,
        body: { transfer_to: bad },
      });
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
      expect(res.body.error).toBe('cannot dial transfer_to number');
      expect(res.body.errors.transfer_to).toBeDefined();
    }
    const extra = await h.call('POST', `/calls/${CALL}/transfer.json`, {
      key: all,
      body: { transfer_to: '+18668987878', transferTo: 'x' },
    });
    expect(extra.status).toBe(400);
    expect(extra.body.errors.transferTo).toEqual(['is not a known attribute']);
    const hold = await h.call('POST', `/calls/${CALL}/transfer.json`, {
      key: all,
      body: { transfer_to: '+18668987878', hold_caller: 'maybe' },
    });
    expect(hold.status).toBe(400);
    const broken = await h.call('POST', `/calls/${CALL}/transfer.json`, {
      key: all,
      rawBody: '{"transfer_to":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.success).toBe(false);
    expect(h.fake.received).toEqual([]);
  });

  it('conferences the caller, stops a transfer, returns and accepts a call (empty JSON bodies are fine)', async () => {
    const json = { 'content-type': 'application/json' };
    const calls: [string, string, string, string][] = [
      ['POST', `/transfers/${TRANSFER}/conference_caller.json`, 'conferenceCaller', TRANSFER],
      ['DELETE', `/transfers/${TRANSFER}.json`, 'stopTransfer', TRANSFER],
      ['POST', `/calls/${CALL}/return.json`, 'returnCall', CALL],
      ['POST', `/calls/${CALL}/accept.json`, 'acceptCall', CALL],
    ];
    for (const [method, path, fn, id] of calls) {
      const res = await h.call(method, path, { key: all, headers: json, rawBody: '' });
      expect(res.status, path).toBe(200);
      expect(res.body).toEqual({ success: true });
      expect(h.fake.received.at(-1)).toMatchObject({ method: fn, id });
    }
  });

  const codes = Object.keys(STATUS_OF) as CallControlCode[];
  it.each(codes)('passes the engine\'s "%s" to the client with its status', async (code) => {
    h.fake.failWith = code;
    const routes: [string, string][] = [
      ['POST', `/calls/${CALL}/transfer.json`],
      ['POST', `/transfers/${TRANSFER}/conference_caller.json`],
      ['DELETE', `/transfers/${TRANSFER}.json`],
      ['POST', `/calls/${CALL}/return.json`],
      ['POST', `/calls/${CALL}/accept.json`],
    ];
    for (const [method, path] of routes) {
      const res = await h.call(method, path, { key: all, body: { transfer_to: '+18668987878' } });
      expect(res.status, path).toBe(STATUS_OF[code]);
      expect(res.body).toEqual({ success: false, error: code });
    }
    const xml = await h.call('DELETE', `/transfers/${TRANSFER}.xml`, { key: all });
    expect(xml.text).toContain(`<error>${code}</error>`);
  });

  it('maps the documented errors to the statuses docs/compat.md lists', () => {
    expect(STATUS_OF).toEqual({
      'not authorized': 403,
      'transfer not found': 404,
      'cannot dial transfer_to number': 400,
      'call not live': 409,
      'call already transferred': 409,
      'caller hung up': 409,
      'caller not held': 409,
      'transfer not in progress': 409,
      'transferor not present': 409,
      'call not returnable': 409,
      'call not awaiting acceptance': 409,
      // RingCentral's forward/answer of a leg no dial step rings; Retreaver's actions never meet it.
      'party not ringing': 409,
      'telephony failure': 502,
    });
  });

  it("hands a group key the group's current members at each request", async () => {
    const a = await h.target('+14165551111');
    const b = await h.target('+14165552222');
    const groupId = await h.group([a]);
    const { key } = await h.key({ target_group_id: groupId, return_timeout_seconds: 90 });
    await h.call('POST', `/calls/${CALL}/return.json`, { key });
    expect(h.fake.received.at(-1)?.scope).toMatchObject({
      targetId: null,
      targetGroupId: groupId,
      targetIds: [a],
      numbers: ['+14165551111'],
      returnTimeoutSeconds: 90,
    });
    await h.t.api('PUT', `/target_groups/${groupId}.json`, { target_group: { add_targets_by_id: [b] } });
    await h.call('POST', `/calls/${CALL}/return.json`, { key });
    expect(h.fake.received.at(-1)?.scope.targetIds).toEqual([a, b]);
    expect(h.fake.received.at(-1)?.scope.numbers).toEqual(['+14165551111', '+14165552222']);
  });

  it('answers 500 in its own shape when the engine fails unexpectedly', async () => {
    const original = h.fake.acceptCall;
    h.fake.acceptCall = async () => {
      throw new Error('boom');
    };
    try {
      const res = await h.call('POST', `/calls/${CALL}/accept.json`, { key: all });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ success: false, error: 'internal error' });
    } finally {
      h.fake.acceptCall = original;
    }
  });
});
