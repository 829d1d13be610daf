import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { SsrfGuard } from '../../src/delivery/ssrf.js';
import {
  type FetchPing,
  guardedFetchPing,
  type PingAnswer,
  type PingCall,
  pingBuyer,
  pingRequest,
} from '../../src/engine/dynamic-buyer.js';
import { type Receiver, startReceiver } from '../delivery/helpers.js';

const CALL: PingCall = { callerNumber: '+13015550123', publisherId: 'pub1', tags: { geo: '301,us' } };
const URL_ = 'https://buyer.example/rtbs.json?key=k1';

/** A fake buyer answering `answer` and remembering what it was sent. */
function fakeBuyer(answer: PingAnswer | undefined | Error) {
  const sent: { url: string; body: Record<string, string> }[] = [];
  const fetchPing: FetchPing = async (url, body) => {
    sent.push({ url, body });
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { sent, fetchPing };
}

describe('pingBuyer', () => {
  it('takes the number of a reserved RTB answer and sends caller, publisher and tags', async () => {
    const buyer = fakeBuyer({ uuid: 'r-1', status: 'reserved', inbound_number: '+18772435010' });
    expect(await pingBuyer(buyer.fetchPing, URL_, CALL)).toEqual({
      number: '+18772435010',
      reservationUuid: 'r-1',
    });
    expect(buyer.sent).toEqual([
      { url: URL_, body: { geo: '301,us', caller_number: '+13015550123', publisher_id: 'pub1' } },
    ]);
  });

  it('reads a call reservation answer, whose number is E.164 digits as a JSON number', async () => {
    const buyer = fakeBuyer({
      call_reservation: { uuid: 'r-2', status: 'reserved', inbound_number: 18772435010 },
    });
    expect(await pingBuyer(buyer.fetchPing, URL_, CALL)).toEqual({
      number: '+18772435010',
      reservationUuid: 'r-2',
    });
  });

  it.each([
    ['no buyer', { status: 'no-target', inbound_number: null }],
    ['no number', { status: 'no-number', inbound_number: null }],
    ['reserved without a number', { status: 'reserved', inbound_number: null }],
    ['reserved with garbage', { status: 'reserved', inbound_number: 'call me' }],
    ['no answer', undefined],
    ['a failure', new Error('ECONNREFUSED')],
  ])('gives no number for %s', async (_name, answer) => {
    expect(await pingBuyer(fakeBuyer(answer).fetchPing, URL_, CALL)).toBeUndefined();
  });

  it('gives no number for a URL that is no URL, without pinging', async () => {
    const buyer = fakeBuyer({ status: 'reserved', inbound_number: '+18772435010' });
    expect(await pingBuyer(buyer.fetchPing, 'not a url', CALL)).toBeUndefined();
    expect(buyer.sent).toEqual([]);
  });
});

describe('pingRequest', () => {
  it("fills the seed's placeholders, drops unfillable ones, and lets the URL's own values stand", () => {
    const template =
      'https://buyer.example/rtbs.json?key=k1&caller_number=[caller_number]&affiliate_id=seller' +
      '&caller_zip=[caller_zip]&first_name=[first_name]&campaign=[campaign_id]';
    const { url, body } = pingRequest(template, {
      ...CALL,
      tags: { geo: '301,us', caller_zip: '20901', key: 'stolen', inbound_number: '+1999' },
      facts: { campaignCid: 'sell' },
    });
    const q = new URL(url).searchParams;
    expect(Object.fromEntries(q)).toEqual({
      key: 'k1',
      caller_number: '+13015550123',
      affiliate_id: 'seller',
      caller_zip: '20901',
      campaign: 'sell',
    });
    // The buyer reads the body over the query: nothing the URL says is repeated, no publisher either.
    expect(body).toEqual({ geo: '301,us' });
  });
});

describe('guardedFetchPing', () => {
  let rx: Receiver | undefined;
  afterEach(async () => rx?.close());
  const guard = (allow: string[] = []) => new SsrfGuard({ allow, clock: new ManualClock() });

  it('POSTs JSON and reads the JSON answer', async () => {
    rx = await startReceiver(new ManualClock(), (_q, res) =>
      res.end(JSON.stringify({ status: 'reserved', inbound_number: '+18772435010' })),
    );
    const answer = await guardedFetchPing(guard(['127.0.0.1']))(rx.url('/rtbs.json?key=k'), { a: '1' });
    expect(answer).toEqual({ status: 'reserved', inbound_number: '+18772435010' });
    expect(rx.hits[0]).toMatchObject({ method: 'POST', path: '/rtbs.json?key=k', body: '{"a":"1"}' });
    expect(rx.hits[0].headers['content-type']).toBe('application/json');
  });

  it('refuses private addresses the allow list does not name', async () => {
    rx = await startReceiver(new ManualClock());
    await expect(guardedFetchPing(guard())(rx.url('/rtbs.json'), {})).rejects.toThrow(
      'blocked by SSRF guard',
    );
    expect(rx.hits).toEqual([]);
  });

  it('gives up on a slow buyer and ignores error statuses', async () => {
    rx = await startReceiver(new ManualClock(), () => undefined);
    const slow = guardedFetchPing(guard(['127.0.0.1']), 50);
    await expect(slow(rx.url('/'), {})).rejects.toThrow();
    rx.setHandler((_q, res) => {
      res.statusCode = 401;
      res.end('{"status":401}');
    });
    // A generous timeout here: this half checks the status rule, not the clock, and a busy machine may
    // take longer than 50 ms to answer.
    const patient = guardedFetchPing(guard(['127.0.0.1']), 10_000);
    expect(await patient(rx.url('/'), {})).toBeUndefined();
  });
});
