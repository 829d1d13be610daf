import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/delivery/index.js';
import { setup, until } from './helpers.js';

type Env = Awaited<ReturnType<typeof setup>>;
let env: Env;
afterEach(async () => env?.close());

describe('backoff', () => {
  it('is full jitter over base·2^(n-1), capped', () => {
    const opts = { baseMs: 2_000, capMs: 600_000 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, opts, () => 0.5))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffDelay(20, opts, () => 0.5)).toBe(300_000);
    expect(backoffDelay(3, opts, () => 0)).toBe(0);
    expect(backoffDelay(3, opts, () => 0.999999)).toBe(7_999);
  });
});

describe('retries', () => {
  it('retries after 500s on the backoff schedule of the manual clock, then fails', async () => {
    env = await setup({ maxAttempts: 4 });
    env.rx.setHandler((_q, res) => {
      res.statusCode = 500;
      res.end();
    });
    const t0 = env.clock.now();
    const { id } = await env.outbox.enqueue(env.db, {
      companyId: env.companyId,
      kind: 'pixel',
      url: env.rx.url('/fail'),
    });
    await env.worker.drain();
    // random pinned at 0.5: delays 1 s, 2 s, 4 s after attempts 1, 2, 3.
    let expectedAt = t0;
    for (const delay of [1_000, 2_000, 4_000]) {
      expect((await env.row(id)).next_attempt_at).toBe(expectedAt + delay);
      const hits = env.rx.hits.length;
      await env.clock.advance(delay - 1);
      await env.worker.drain();
      expect(env.rx.hits).toHaveLength(hits);
      await env.clock.advance(1);
      await env.worker.drain();
      expect(env.rx.hits).toHaveLength(hits + 1);
      expectedAt += delay;
    }
    expect(env.rx.hits.map((h) => h.at - t0)).toEqual([0, 1_000, 3_000, 7_000]);
    const row = await env.row(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 4, last_status: 500, last_error: 'HTTP 500' });
    await env.clock.advance(600_000);
    await env.worker.drain();
    expect(env.rx.hits).toHaveLength(4);
  });

  it('keeps the delivery id across retries', async () => {
    env = await setup();
    let n = 0;
    env.rx.setHandler((_q, res) => {
      res.statusCode = ++n < 3 ? 503 : 200;
      res.end();
    });
    const { deliveryUuid, id } = await env.outbox.enqueue(env.db, {
      companyId: env.companyId,
      kind: 'pixel',
      url: env.rx.url('/x'),
    });
    await env.worker.drain();
    await env.clock.advance(1_000);
    await env.worker.drain();
    await env.clock.advance(2_000);
    await env.worker.drain();
    expect(env.rx.hits.map((h) => h.headers['x-switchboard-delivery'])).toEqual([
      deliveryUuid,
      deliveryUuid,
      deliveryUuid,
    ]);
    expect(await env.row(id)).toMatchObject({ status: 'delivered', attempts: 3 });
  });

  it('uses the fallback URL after the primary keeps failing', async () => {
    env = await setup({ maxAttempts: 2 });
    env.rx.setHandler((q, res) => {
      res.statusCode = q.url === '/primary' ? 500 : 200;
      res.end();
    });
    const { id } = await env.outbox.enqueue(env.db, {
      companyId: env.companyId,
      kind: 'pixel',
      url: env.rx.url('/primary'),
      fallbackUrl: env.rx.url('/fallback'),
    });
    await env.worker.drain();
    await env.clock.advance(1_000);
    await env.worker.drain();
    expect(env.rx.hits.map((h) => h.path)).toEqual(['/primary', '/primary', '/fallback']);
    expect(await env.row(id)).toMatchObject({ status: 'delivered', attempts: 3, last_status: 200 });
  });

  it('fails for good once the fallback has had its attempts too', async () => {
    env = await setup({ maxAttempts: 2 });
    env.rx.setHandler((_q, res) => {
      res.statusCode = 502;
      res.end();
    });
    const { id } = await env.outbox.enqueue(env.db, {
      companyId: env.companyId,
      kind: 'pixel',
      url: env.rx.url('/a'),
      fallbackUrl: env.rx.url('/b'),
    });
    for (let i = 0; i < 4; i++) {
      await env.worker.drain();
      await env.clock.advance(10_000);
    }
    await env.worker.drain();
    expect(env.rx.hits.map((h) => h.path)).toEqual(['/a', '/a', '/b', '/b']);
    expect(await env.row(id)).toMatchObject({ status: 'failed', attempts: 4, last_error: 'HTTP 502' });
  });

  it('times an attempt out on the clock and retries it', async () => {
    env = await setup({ timeoutMs: 5_000 });
    let hang = true;
    env.rx.setHandler((_q, res) => {
      if (!hang) res.end('ok');
    });
    const { id } = await env.outbox.enqueue(env.db, {
      companyId: env.companyId,
      kind: 'pixel',
      url: env.rx.url('/slow'),
    });
    await until(() => env.rx.hits.length === 1);
    await env.clock.advance(4_999);
    expect(env.worker.inFlightCount).toBe(1);
    await env.clock.advance(1);
    await env.worker.drain();
    expect(await env.row(id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'timeout after 5000 ms',
    });
    hang = false;
    await env.clock.advance(1_000);
    await env.worker.drain();
    expect(await env.row(id)).toMatchObject({ status: 'delivered', attempts: 2 });
  });
});
