import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { setup, until } from './helpers.js';

type Env = Awaited<ReturnType<typeof setup>>;
let env: Env;
afterEach(async () => env?.close());

describe('per-host concurrency', () => {
  it('keeps at most 4 requests in flight per host; other hosts are not held up', async () => {
    const resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    env = await setup({ resolver });
    const active = new Map<string, number>();
    const max = new Map<string, number>();
    const held: (() => void)[] = [];
    let holding = true;
    env.rx.setHandler((q, res) => {
      const host = String(q.headers.host).split(':')[0];
      active.set(host, (active.get(host) ?? 0) + 1);
      max.set(host, Math.max(max.get(host) ?? 0, active.get(host) ?? 0));
      const answer = () => {
        active.set(host, (active.get(host) ?? 1) - 1);
        res.end('ok');
      };
      if (holding) held.push(answer);
      else setTimeout(answer, 2);
    });
    for (const host of ['a.test', 'b.test']) {
      for (let i = 0; i < 12; i++) {
        await env.outbox.enqueue(env.db, {
          companyId: env.companyId,
          kind: 'pixel',
          url: `http://${host}:${env.rx.port}/${i}`,
        });
      }
    }
    // Both hosts fill their 4 slots while every request hangs; no 5th request goes out to either.
    await until(() => env.rx.hits.length === 8);
    await new Promise((r) => setTimeout(r, 200));
    expect(env.rx.hits).toHaveLength(8);
    expect([max.get('a.test'), max.get('b.test')]).toEqual([4, 4]);
    holding = false;
    for (const answer of held.splice(0)) answer();
    await env.worker.drain();
    expect(env.rx.hits).toHaveLength(24);
    expect([max.get('a.test'), max.get('b.test')]).toEqual([4, 4]);
  });
});

describe('redirects', () => {
  const chain = (env: Env) =>
    env.rx.setHandler((q, res) => {
      const m = /^\/r\/(\d+)$/.exec(q.url ?? '');
      if (m && Number(m[1]) > 0) {
        res.writeHead(302, { location: `/r/${Number(m[1]) - 1}` });
        return res.end();
      }
      if (q.url === '/to-ftp') {
        res.writeHead(301, { location: 'ftp://127.0.0.1/file' });
        return res.end();
      }
      if (q.url === '/to-private') {
        res.writeHead(307, { location: 'http://10.0.0.7/' });
        return res.end();
      }
      res.end('ok');
    });

  it('follows up to 5 redirects', async () => {
    env = await setup();
    chain(env);
    const { id } = await env.outbox.enqueue(env.db, {
      companyId: env.companyId,
      kind: 'pixel',
      url: env.rx.url('/r/5'),
    });
    await env.worker.drain();
    expect(env.rx.hits.map((h) => h.path)).toEqual(['/r/5', '/r/4', '/r/3', '/r/2', '/r/1', '/r/0']);
    expect(await env.row(id)).toMatchObject({ status: 'delivered', last_status: 200 });
  });

  it('gives up on the 6th redirect, and refuses non-http and private targets', async () => {
    env = await setup({ maxAttempts: 1 });
    chain(env);
    const a = await env.outbox.enqueue(env.db, {
      companyId: env.companyId,
      kind: 'pixel',
      url: env.rx.url('/r/6'),
    });
    const b = await env.outbox.enqueue(env.db, {
      companyId: env.companyId,
      kind: 'pixel',
      url: env.rx.url('/to-ftp'),
    });
    const c = await env.outbox.enqueue(env.db, {
      companyId: env.companyId,
      kind: 'pixel',
      url: env.rx.url('/to-private'),
    });
    await env.worker.drain();
    expect(await env.row(a.id)).toMatchObject({
      status: 'failed',
      last_error: 'too many redirects (more than 5)',
    });
    expect(await env.row(b.id)).toMatchObject({ status: 'failed', last_error: 'unsupported scheme ftp:' });
    expect(await env.row(c.id)).toMatchObject({ status: 'failed', last_error: 'blocked by SSRF guard' });
    expect(env.rx.hits.filter((h) => h.path.startsWith('/r/'))).toHaveLength(6);
  });

  it('a 3xx that is never followed to a 2xx is a failure', async () => {
    env = await setup({ maxAttempts: 1 });
    env.rx.setHandler((_q, res) => {
      res.writeHead(304);
      res.end();
    });
    const { id } = await env.outbox.enqueue(env.db, {
      companyId: env.companyId,
      kind: 'pixel',
      url: env.rx.url('/'),
    });
    await env.worker.drain();
    expect(await env.row(id)).toMatchObject({ status: 'failed', last_status: 304 });
  });
});

describe('cookies', () => {
  it('sends the cookies a delivery received to later deliveries of the same jar', async () => {
    env = await setup();
    env.rx.setHandler((q, res) => {
      if (q.url === '/t0') res.setHeader('set-cookie', ['sid=abc; Path=/; HttpOnly', 'short=1; Max-Age=60']);
      res.end('ok');
    });
    const send = async (path: string, jar: string) => {
      await env.outbox.enqueue(env.db, {
        companyId: env.companyId,
        kind: 'pixel',
        url: env.rx.url(path),
        cookieJarKey: jar,
      });
      await env.worker.drain();
      return env.rx.hits.at(-1)?.headers.cookie;
    };
    expect(await send('/t0', 'call-1')).toBeUndefined();
    expect(await send('/t30', 'call-1')).toBe('sid=abc; short=1');
    expect(await send('/other', 'call-2')).toBeUndefined();
    await env.clock.advance(61_000);
    expect(await send('/t90', 'call-1')).toBe('sid=abc');
  });
});

describe('webhook signatures', () => {
  it('signs with the documented recipe; the delivery id stays, the timestamp is fresh on each retry', async () => {
    env = await setup();
    let n = 0;
    env.rx.setHandler((_q, res) => {
      res.statusCode = n++ === 0 ? 500 : 204;
      res.end();
    });
    const body = JSON.stringify({ event: 'call.completed', call_uuid: 'c-1' });
    const { deliveryUuid } = await env.outbox.enqueue(env.db, {
      companyId: env.companyId,
      kind: 'webhook',
      url: env.rx.url('/hook'),
      body,
    });
    await env.worker.drain();
    await env.clock.advance(1_000);
    await env.worker.drain();
    const secret = await env.outbox.webhookSecret(env.companyId);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(await env.outbox.webhookSecret(env.companyId)).toBe(secret);
    expect(env.rx.hits).toHaveLength(2);
    const stamps: number[] = [];
    for (const hit of env.rx.hits) {
      expect(hit).toMatchObject({ method: 'POST', body });
      expect(hit.headers['content-type']).toBe('application/json');
      expect(hit.headers['x-switchboard-delivery']).toBe(deliveryUuid);
      // docs/webhooks.md, "Verifying": HMAC-SHA256 over "<timestamp>.<raw body>", compared in constant time.
      const timestamp = String(hit.headers['x-switchboard-timestamp']);
      const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${hit.body}`).digest('hex')}`;
      const given = String(hit.headers['x-switchboard-signature']);
      expect(
        given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected)),
      ).toBe(true);
      expect(Math.abs(Math.floor(hit.at / 1000) - Number(timestamp))).toBeLessThanOrEqual(300);
      stamps.push(Number(timestamp));
    }
    expect(stamps[1] - stamps[0]).toBe(1);
  });

  it('gives each company its own secret', async () => {
    env = await setup();
    const other = await env.db
      .insertInto('companies')
      .values({ name: 'B', default_click_url: null, default_sale_url: null, created_at: 0, updated_at: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const [a, b] = await Promise.all([
      env.outbox.webhookSecret(env.companyId),
      env.outbox.webhookSecret(other.id),
    ]);
    expect(a).not.toBe(b);
  });
});
