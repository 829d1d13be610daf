import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/clock.js';
import { LocalIdempotency } from '../../../../src/live/local/idempotency.js';
import { type CcHarness, ccHarness } from './harness.js';

const CALL = 'e64268f8-18a3-4881-b8ed-80e06b17fa74';

let h: CcHarness;
let key: string;
let otherKey: string;
beforeAll(async () => {
  h = await ccHarness();
  const target = await h.target();
  key = (await h.key({ target_id: target })).key;
  otherKey = (await h.key({ target_id: target })).key;
});
afterAll(async () => h.close());
beforeEach(() => {
  h.fake.received.length = 0;
  h.fake.failWith = undefined;
  h.fake.gate = undefined;
});

const transfer = (idem: string, k = key, ext = 'json') =>
  h.call('POST', `/calls/${CALL}/transfer.${ext}`, {
    key: k,
    body: { transfer_to: '+18668987878' },
    headers: { 'idempotency-key': idem },
  });

describe('Idempotency-Key', () => {
  it('answers a repeat within 60 s with the first answer, without asking the engine again', async () => {
    const first = await transfer('k-1');
    const again = await transfer('k-1');
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(h.fake.received).toHaveLength(1);
    // The same answer, in the format the repeat asks for.
    const xml = await transfer('k-1', key, 'xml');
    expect(xml.text).toContain(`<transfer-uuid>${first.body.transfer_uuid}</transfer-uuid>`);
    expect(h.fake.received).toHaveLength(1);
  });

  it('replays errors too (status and body)', async () => {
    h.fake.failWith = 'call already transferred';
    const first = await transfer('k-err');
    h.fake.failWith = undefined;
    const again = await transfer('k-err');
    expect([again.status, again.body]).toEqual([409, { success: false, error: 'call already transferred' }]);
    expect(first.status).toBe(409);
    expect(h.fake.received).toHaveLength(1);
  });

  it('acts again once 60 s have passed', async () => {
    const first = await transfer('k-ttl');
    await h.t.clock.advance(59_999);
    expect((await transfer('k-ttl')).body).toEqual(first.body);
    expect(h.fake.received).toHaveLength(1);
    await h.t.clock.advance(1);
    const later = await transfer('k-ttl');
    expect(later.body.transfer_uuid).not.toBe(first.body.transfer_uuid);
    expect(h.fake.received).toHaveLength(2);
  });

  it('keeps keys of different call-control keys apart, and acts on every request without the header', async () => {
    await transfer('k-shared');
    await transfer('k-shared', otherKey);
    expect(h.fake.received).toHaveLength(2);
    await h.call('POST', `/calls/${CALL}/transfer.json`, { key, body: { transfer_to: '+18668987878' } });
    await h.call('POST', `/calls/${CALL}/transfer.json`, { key, body: { transfer_to: '+18668987878' } });
    expect(h.fake.received).toHaveLength(4);
  });

  it('makes concurrent duplicates wait for the first answer', async () => {
    let open!: () => void;
    h.fake.gate = new Promise<void>((r) => {
      open = r;
    });
    const pending = [transfer('k-race'), transfer('k-race'), transfer('k-race')];
    await new Promise((r) => setTimeout(r, 20));
    expect(h.fake.received).toHaveLength(1);
    open();
    const answers = await Promise.all(pending);
    expect(new Set(answers.map((r) => r.body.transfer_uuid)).size).toBe(1);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(h.fake.received).toHaveLength(1);
  });

  it('refuses a key reused for another request (409) and a malformed key (400)', async () => {
    await transfer('k-path');
    const reused = await h.call('POST', `/calls/${CALL}/return.json`, {
      key,
      headers: { 'idempotency-key': 'k-path' },
    });
    expect(reused.status).toBe(409);
    expect(reused.body).toEqual({
      success: false,
      error: 'Idempotency-Key was already used for another request',
    });
    const bad = await h.call('POST', `/calls/${CALL}/return.json`, {
      key,
      headers: { 'idempotency-key': 'has space' },
    });
    expect(bad.status).toBe(400);
    expect(h.fake.received).toHaveLength(1);
  });

  it('does not keep server faults: a retry acts again', async () => {
    const original = h.fake.returnCall;
    h.fake.returnCall = async () => {
      throw new Error('boom');
    };
    expect(
      (await h.call('POST', `/calls/${CALL}/return.json`, { key, headers: { 'idempotency-key': 'k-500' } }))
        .status,
    ).toBe(500);
    h.fake.returnCall = original;
    const retry = await h.call('POST', `/calls/${CALL}/return.json`, {
      key,
      headers: { 'idempotency-key': 'k-500' },
    });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });
});

describe('LocalIdempotency', () => {
  it('stays bounded, dropping the oldest entries first', async () => {
    const clock = new ManualClock();
    const store = new LocalIdempotency(clock, { maxEntries: 3 });
    for (let i = 0; i < 5; i++) await store.run(`k${i}`, 'f', async () => i);
    expect(store.size()).toBe(3);
    expect(await store.run('k0', 'f', async () => 99)).toEqual({ kind: 'first', answer: 99 });
    expect(await store.run('k4', 'f', async () => 99)).toEqual({ kind: 'replay', answer: 4 });
  });

  it('forgets expired entries as time passes', async () => {
    const clock = new ManualClock();
    const store = new LocalIdempotency(clock, { ttlMs: 1_000 });
    await store.run('a', 'f', async () => 1);
    await clock.advance(500);
    await store.run('b', 'f', async () => 2);
    await clock.advance(500);
    await store.run('c', 'f', async () => 3);
    expect(store.size()).toBe(2);
  });
});
