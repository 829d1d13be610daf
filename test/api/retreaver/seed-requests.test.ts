import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { create, simOf } from '../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { curl, rawRequest } from '../../helpers/raw-http.js';
import { rtbSetup } from './rtb-setup.js';

/**
 * Issue 20: each request exactly as a client copied from seeds 000/001 sends it (curl's defaults
 * included), over a real socket, and the document's answer.
 */
let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const CALLER = '+13015550123';
const AGENT = '+14155550001';
const TRANSFEREE = '+14155550099';

describe('row 1: a JSON body sent with curl --data (Content-Type: application/x-www-form-urlencoded)', () => {
  it('RTB: the seed’s “RTB Body Parameters” curl gets a bid', async () => {
    const s = await rtbSetup(t);
    const body = `{\n"key": "${s.key}",\n"publisher_id": "retreaver_pub",\n"caller_number": "+18558485518"\n}`;
    const res = await rawRequest(t, curl('POST', '/rtbs.json', [], body), body);
    expect(res.status, res.text).toBe(200);
    expect(res.body.status).toBe('reserved');
    const row = await t.app.store.db.selectFrom('reservations').selectAll().executeTakeFirstOrThrow();
    expect(row.caller_number).toBe('+18558485518');
  });

  it('RTB: a true form body still works, and a JSON body with no Content-Type at all too', async () => {
    const s = await rtbSetup(t);
    const form = `key=${s.key}&publisher_id=retreaver_pub&caller_number=%2B18558485518&age=25`;
    const res = await rawRequest(t, curl('POST', '/rtbs.json', [], form), form);
    expect([res.status, res.body.status]).toEqual([200, 'reserved']);
    const json = JSON.stringify({ key: s.key, publisher_id: 'retreaver_pub', caller_number: '+18558485519' });
    const head = `POST /rtbs.json HTTP/1.1\r\nHost: x\r\nContent-Length: ${json.length}`;
    const bare = await rawRequest(t, head, json);
    expect([bare.status, bare.body.status]).toEqual([200, 'reserved']);
  });

  it('Core API: a JSON body without -H creates the resource; form fields still do; malformed JSON is 400', async () => {
    const json = '{"affiliate":{"afid":"curl-default","first_name":"Joe"}}';
    const res = await rawRequest(t, curl('POST', `/affiliates.json?api_key=${t.key}`, [], json), json);
    expect(res.status, res.text).toBe(201);
    expect(res.body.affiliate).toMatchObject({ afid: 'curl-default', first_name: 'Joe' });
    const form = 'affiliate[afid]=form-one&affiliate[first_name]=Ann';
    const formRes = await rawRequest(t, curl('POST', `/affiliates.json?api_key=${t.key}`, [], form), form);
    expect([formRes.status, formRes.body.affiliate?.afid]).toEqual([201, 'form-one']);
    const broken = '{"affiliate": {"afid": ';
    const bad = await rawRequest(t, curl('POST', `/affiliates.json?api_key=${t.key}`, [], broken), broken);
    expect(bad.status).toBe(400);
    expect(bad.body.status).toBe(400);
    const plain = 'hello';
    const other = await rawRequest(
      t,
      curl('POST', `/affiliates.json?api_key=${t.key}`, ['Content-Type: text/plain'], plain),
      plain,
    );
    expect(other.status).toBe(415);
  });

  it('Call Control: a transfer whose JSON body curl labels as a form is read as JSON', async () => {
    const { call, agentKey } = await connectedCall();
    const body = JSON.stringify({ hold_caller: true, transfer_to: TRANSFEREE });
    const res = await rawRequest(
      t,
      curl('POST', `/call_control/v1/calls/${call.call_uuid}/transfer.json?api_key=${agentKey}`, [], body),
      body,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.transfer_uuid).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** A call connected to AGENT, and a call-control key for AGENT. */
async function connectedCall() {
  const sim = simOf(t);
  const agent = await create(t, '/targets', 'target', { number: AGENT });
  const other = await create(t, '/targets', 'target', { number: '+14155550002' });
  const c = await create(t, '/campaigns', 'campaign', { target_ids: [agent.id] });
  const n = await create(t, '/numbers', 'number', { afid: 'p', cid: c.cid });
  await sim.endpoint(TRANSFEREE, { answer_after_s: 3 });
  const call = await sim.call(CALLER, n.number);
  await sim.advance(2);
  const keyFor = async (target_id: number) =>
    (await t.api('POST', '/call_control_keys.json', { target_id })).body.call_control_key.key as string;
  return { sim, call, agentKey: await keyFor(agent.id), otherKey: await keyFor(other.id) };
}

async function transfer(callUuid: string, key: string, holdCaller: boolean): Promise<string> {
  const res = await t.app.http.inject({
    method: 'POST',
    url: `/call_control/v1/calls/${callUuid}/transfer.json?api_key=${key}`,
    payload: { hold_caller: holdCaller, transfer_to: TRANSFEREE },
  });
  expect(res.statusCode, res.body).toBe(200);
  return JSON.parse(res.body).transfer_uuid;
}

/** The seed's curls for the two transfer actions: no key, `-H "Content-Type: application/json"`, no body. */
const conferenceCaller = (uuid: string, query = '') =>
  rawRequest(
    t,
    curl('POST', `/call_control/v1/transfers/${uuid}/conference_caller.json${query}`, [
      'Content-Type: application/json',
    ]),
  );
const stopTransfer = (uuid: string, query = '') =>
  rawRequest(
    t,
    curl('DELETE', `/call_control/v1/transfers/${uuid}.json${query}`, ['Content-Type: application/json']),
  );

describe('rows 2 and 3: the transfer uuid authorizes conference_caller and stop transfer without a key', () => {
  it('conference_caller as the seed’s curl sends it: {"success": true}', async () => {
    const { sim, call, agentKey } = await connectedCall();
    const uuid = await transfer(call.call_uuid, agentKey, true);
    await sim.advance(3);
    const res = await conferenceCaller(uuid);
    expect([res.status, res.body]).toEqual([200, { success: true }]);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'conference', parties: [AGENT, TRANSFEREE] });
  });

  it('stop transfer as the seed’s curl sends it: {"success": true}', async () => {
    const { sim, call, agentKey } = await connectedCall();
    await sim.endpoint(TRANSFEREE, { answer_after_s: 30 });
    const uuid = await transfer(call.call_uuid, agentKey, true);
    const res = await stopTransfer(uuid);
    expect([res.status, res.body]).toEqual([200, { success: true }]);
    expect((await sim.show(call.id)).hearing).toEqual({ kind: 'connected', party: AGENT });
  });

  it('a wrong uuid stays “transfer not found”; a key still has its scope; other actions still need a key', async () => {
    const { call, agentKey, otherKey } = await connectedCall();
    const uuid = await transfer(call.call_uuid, agentKey, true);
    const unknown = await stopTransfer('7df81876-6e46-4b50-945e-7f5ad97a555e');
    expect([unknown.status, unknown.body]).toEqual([404, { success: false, error: 'transfer not found' }]);
    const wrongKey = await conferenceCaller(uuid, `?api_key=${otherKey}`);
    expect([wrongKey.status, wrongKey.body]).toEqual([403, { success: false, error: 'not authorized' }]);
    const badKey = await stopTransfer(uuid, '?api_key=nope');
    expect([badKey.status, badKey.body]).toEqual([401, { success: false, error: 'not authorized' }]);
    const keyless = await rawRequest(
      t,
      curl(
        'POST',
        `/call_control/v1/calls/${call.call_uuid}/transfer.json`,
        ['Content-Type: application/json'],
        '{"transfer_to":"+14155550077"}',
      ),
      '{"transfer_to":"+14155550077"}',
    );
    expect([keyless.status, keyless.body.error]).toEqual([401, 'not authorized']);
    // The uuid of one transfer reaches that transfer only: another call's uuid is not found through it.
    const res = await conferenceCaller(uuid);
    expect(res.status).toBe(200);
  });

  it('keyless requests are rate-limited per client address', async () => {
    await t.close();
    t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '2' });
    const uuid = '7df81876-6e46-4b50-945e-7f5ad97a555e';
    expect((await stopTransfer(uuid)).status).toBe(404);
    expect((await stopTransfer(uuid)).status).toBe(404);
    const limited = await stopTransfer(uuid);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
  }, 60_000); // a second app on PostgreSQL takes a while on a loaded machine
});

describe('rows 4 and 5: error strings after the call ended', () => {
  it('stop transfer after the whole call ended: “call not live”, even when the caller left on hold', async () => {
    const { sim, call, agentKey } = await connectedCall();
    await sim.endpoint(TRANSFEREE, { answer_after_s: 30 });
    const uuid = await transfer(call.call_uuid, agentKey, true);
    await sim.hangup(call.id);
    const res = await stopTransfer(uuid);
    expect([res.status, res.body]).toEqual([409, { success: false, error: 'call not live' }]);
    // conference_caller's own table has "caller hung up": the caller left while on hold.
    const conf = await conferenceCaller(uuid);
    expect([conf.status, conf.body]).toEqual([409, { success: false, error: 'caller hung up' }]);
  });

  it('conference_caller on an attended transfer (caller never held) after the call ended: “call not live”', async () => {
    const { sim, call, agentKey } = await connectedCall();
    const uuid = await transfer(call.call_uuid, agentKey, false);
    await sim.advance(3);
    await sim.hangup(call.id);
    const res = await conferenceCaller(uuid);
    expect([res.status, res.body]).toEqual([409, { success: false, error: 'call not live' }]);
  });

  it('a caller held, then taken off hold, who hangs up later did not leave “on hold”', async () => {
    const { sim, call, agentKey } = await connectedCall();
    const uuid = await transfer(call.call_uuid, agentKey, true);
    await sim.advance(3);
    expect((await conferenceCaller(uuid)).status).toBe(200);
    await sim.hangup(call.id);
    const res = await conferenceCaller(uuid);
    expect(res.body).toEqual({ success: false, error: 'call not live' });
  });
});

describe('rows 6 and 7: suppressed numbers’ cid and campaign_id', () => {
  it('list and get show an all-digit cid as the examples do (a JSON number); others stay strings', async () => {
    await create(t, '/campaigns', 'campaign', { cid: '159', name: 'a' });
    await create(t, '/campaigns', 'campaign', { cid: '0044', name: 'b' });
    for (const [number, cid] of [
      ['+13213749611', '159'],
      ['+13216065590', '0044'],
    ]) {
      const body = JSON.stringify({ suppressed_number: { campaign_id: cid } });
      const res = await rawRequest(
        t,
        curl(
          'POST',
          `/suppressed_numbers/${number}.json?api_key=${t.key}&company_id=${t.companyId}`,
          ['Content-Type: application/json'],
          body,
        ),
        body,
      );
      expect(res.status, res.text).toBe(201);
    }
    await rawRequest(t, curl('POST', `/suppressed_numbers/+13216437667.json?api_key=${t.key}`));
    const list = await rawRequest(
      t,
      curl('GET', `/suppressed_numbers.json?api_key=${t.key}&company_id=${t.companyId}`),
    );
    expect(list.status).toBe(200);
    expect(list.body.map((x: any) => x.suppressed_number.cid)).toEqual([159, '0044', undefined]);
    expect(list.text).toContain('"cid":159');
    const one = await rawRequest(t, curl('GET', `/suppressed_numbers/+13213749611.json?api_key=${t.key}`));
    expect(one.body.suppressed_number).toMatchObject({ number: '+13213749611', cid: 159 });
    const xml = await t.api('GET', '/suppressed_numbers/+13213749611.xml');
    expect(xml.text).toContain('<cid type="integer">159</cid>');
  });

  it('the bare record’s campaign_id is the cid, and sending it back as shown works', async () => {
    await create(t, '/campaigns', 'campaign', { cid: '159', name: 'a' });
    await create(t, '/campaigns', 'campaign', { cid: '116dc0f6', name: 'b' });
    const body = '{"suppressed_number": {"can_resubscribe": false}}';
    const created = await rawRequest(
      t,
      curl(
        'POST',
        `/suppressed_numbers/+13216065590.json?api_key=${t.key}&company_id=${t.companyId}`,
        ['Content-Type: application/json'],
        body,
      ),
      body,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ campaign_id: null, can_resubscribe: false, affiliate_id: null });
    const put = '{"can_resubscribe": false, "campaign_id": "116dc0f6"}';
    const updated = await rawRequest(
      t,
      curl(
        'PUT',
        `/suppressed_numbers/+13216065590.json?api_key=${t.key}&company_id=${t.companyId}`,
        ['Content-Type: application/json'],
        put,
      ),
      put,
    );
    expect([updated.status, updated.body.campaign_id]).toEqual([200, '116dc0f6']);
    const numeric = await t.api('PUT', '/suppressed_numbers/+13216065590.json', { campaign_id: '159' });
    expect(numeric.body.campaign_id).toBe(159);
    // GET-modify-PUT: the record as shown goes back unchanged.
    const echoed = await t.api('PUT', '/suppressed_numbers/+13216065590.json', numeric.body);
    expect([echoed.status, echoed.body.campaign_id]).toEqual([200, 159]);
  });
});

describe('row 8: numbers’ timers', () => {
  it('list and get show bare timer items; create and update wrap them; writes take both shapes', async () => {
    await create(t, '/campaigns', 'campaign', {
      cid: '111',
      name: 'c',
      timers_attributes: [{ seconds: 0, url: 'http://www.thertrack.com/click.track' }],
    });
    const body =
      '{"number":{"type":"Toll-free","desired_text":"TEST","afid":"0002","cid":"111","sid":"superaffiliate"}}';
    const created = await rawRequest(
      t,
      curl(
        'POST',
        `/numbers.json?api_key=${t.key}&company_id=${t.companyId}`,
        ['Content-Type: application/json'],
        body,
      ),
      body,
    );
    expect(created.status, created.text).toBe(201);
    const id = created.body.number.id;
    expect(created.body.number.timers).toEqual([
      {
        timer: {
          id: expect.any(Number),
          seconds: 0,
          url: 'http://www.thertrack.com/click.track',
          inherited: true,
        },
      },
    ]);
    const list = await rawRequest(t, curl('GET', `/numbers.json?api_key=${t.key}&company_id=${t.companyId}`));
    const timer = {
      id: expect.any(Number),
      seconds: 0,
      url: 'http://www.thertrack.com/click.track',
      inherited: true,
    };
    expect(list.body[0].number.timers).toEqual([timer]);
    const got = await rawRequest(
      t,
      curl('GET', `/numbers/${id}.json?api_key=${t.key}&company_id=${t.companyId}`),
    );
    expect(got.body.number.timers).toEqual([timer]);
    const put = '{"number":{"afid":"0005"}}';
    const updated = await rawRequest(
      t,
      curl(
        'PUT',
        `/numbers/${id}.json?api_key=${t.key}&company_id=${t.companyId}`,
        ['Content-Type: application/json'],
        put,
      ),
      put,
    );
    expect(updated.body.number.timers).toEqual([{ timer }]);
    // Writes: bare items (as GET shows them) and wrapped ones (as create shows them) both override.
    const bare = await t.api('PUT', `/numbers/${id}.json`, {
      number: { timers_attributes: [{ seconds: 5, url: 'http://a.example/x' }] },
    });
    expect(bare.body.number.timers.map((x: any) => [x.timer.seconds, x.timer.inherited])).toEqual([
      [5, false],
    ]);
    const wrapped = await t.api('PUT', `/numbers/${id}.json`, {
      number: {
        destroy_nested: true,
        timers_attributes: [{ timer: { seconds: 7, url: 'http://a.example/y' } }],
      },
    });
    expect(wrapped.body.number.timers.map((x: any) => x.timer.seconds)).toEqual([7]);
    // A GET's representation, sent back whole, is accepted (its `timers` are read-only).
    const again = await t.api('GET', `/numbers/${id}.json`);
    const echo = await t.api('PUT', `/numbers/${id}.json`, again.body);
    expect(echo.status, echo.text).toBe(200);
  });
});
