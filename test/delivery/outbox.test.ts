import { afterEach, describe, expect, it } from 'vitest';
import { setup } from './helpers.js';

type Env = Awaited<ReturnType<typeof setup>>;
let env: Env;
afterEach(async () => env?.close());

describe('outbox', () => {
  it('delivers a pixel and records the outcome', async () => {
    env = await setup();
    const { id, deliveryUuid } = await env.outbox.enqueue(env.db, {
      companyId: env.companyId,
      kind: 'pixel',
      url: env.rx.url('/px?a=1'),
    });
    await env.worker.drain();
    expect(env.rx.hits).toHaveLength(1);
    expect(env.rx.hits[0]).toMatchObject({ method: 'GET', path: '/px?a=1' });
    expect(env.rx.hits[0].headers['x-switchboard-delivery']).toBe(deliveryUuid);
    const row = await env.row(id);
    expect(row).toMatchObject({
      status: 'delivered',
      attempts: 1,
      last_status: 200,
      last_error: null,
      delivered_at: env.clock.now(),
    });
  });

  it('sends nothing for an enqueue in a transaction that rolls back, and sends a committed one', async () => {
    env = await setup();
    await expect(
      env.db.transaction().execute(async (trx) => {
        await env.outbox.enqueue(trx, {
          companyId: env.companyId,
          kind: 'pixel',
          url: env.rx.url('/rolled-back'),
        });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await env.db.transaction().execute(async (trx) => {
      await env.outbox.enqueue(trx, {
        companyId: env.companyId,
        kind: 'pixel',
        url: env.rx.url('/committed'),
      });
    });
    env.outbox.kick();
    await env.worker.drain();
    expect(env.rx.hits.map((h) => h.path)).toEqual(['/committed']);
    expect(await env.db.selectFrom('deliveries').select('url').execute()).toHaveLength(1);
  });

  it('marks the fired_pixels row fired on success and failed after the last attempt', async () => {
    env = await setup();
    env.rx.setHandler((q, res) => {
      res.statusCode = q.url === '/bad' ? 500 : 200;
      res.end();
    });
    const now = env.clock.now();
    const pixel = (url: string) =>
      env.db
        .insertInto('fired_pixels')
        .values({
          company_id: env.companyId,
          call_uuid: 'call-1',
          url,
          fire_order: 1,
          batch_uuid: 'b',
          webhook_name: null,
          status: 'new',
          created_at: now,
          fired_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const good = await pixel(env.rx.url('/good'));
    const bad = await pixel(env.rx.url('/bad'));
    for (const p of [good, bad]) {
      const url = p === good ? env.rx.url('/good') : env.rx.url('/bad');
      await env.outbox.enqueue(env.db, {
        companyId: env.companyId,
        kind: 'pixel',
        url,
        firedPixelId: p.id,
        callUuid: 'call-1',
        maxAttempts: 1,
      });
    }
    await env.worker.drain();
    const rows = await env.db.selectFrom('fired_pixels').selectAll().orderBy('id').execute();
    expect(rows.map((r) => [r.status, r.fired_at])).toEqual([
      ['fired', now],
      ['failed', null],
    ]);
  });

  it('a restart in the middle of a backlog loses nothing; only requests on the wire are sent again', async () => {
    env = await setup();
    let holding = true;
    env.rx.setHandler((_q, res) => {
      if (!holding) res.end('ok'); // while holding, requests hang until the "crash" cuts them off
    });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      ids.push(
        (
          await env.outbox.enqueue(env.db, {
            companyId: env.companyId,
            kind: 'pixel',
            url: env.rx.url(`/n${i}`),
          })
        ).deliveryUuid,
      );
    }
    const { until } = await import('./helpers.js');
    await until(() => env.rx.hits.length === 4);
    await env.worker.close({ abort: true });
    const states = await env.db.selectFrom('deliveries').select('status').execute();
    expect(states.filter((s) => s.status === 'in_flight')).toHaveLength(4);
    expect(states.filter((s) => s.status === 'pending')).toHaveLength(26);
    const onTheWire = env.rx.hits.map((h) => h.headers['x-switchboard-delivery']);

    holding = false;
    const second = env.make();
    await second.worker.start();
    await second.worker.drain();
    await second.worker.close();

    const seen = new Map<string, number>();
    for (const h of env.rx.hits)
      seen.set(
        String(h.headers['x-switchboard-delivery']),
        (seen.get(String(h.headers['x-switchboard-delivery'])) ?? 0) + 1,
      );
    for (const id of ids) expect(seen.get(id), id).toBe(onTheWire.includes(id) ? 2 : 1);
    const delivered = await env.db
      .selectFrom('deliveries')
      .select('status')
      .where('status', '=', 'delivered')
      .execute();
    expect(delivered).toHaveLength(30);
  });

  it("a restarting worker re-queues only its own in-flight rows; another's wait for their lease to expire", async () => {
    env = await setup({ owner: 'node-a' });
    env.rx.setHandler(() => {}); // requests hang: rows stay in flight until the "crash"
    for (let i = 0; i < 3; i++)
      await env.outbox.enqueue(env.db, {
        companyId: env.companyId,
        kind: 'pixel',
        url: env.rx.url(`/a${i}`),
      });
    const { until } = await import('./helpers.js');
    await until(() => env.rx.hits.length === 3);
    await env.worker.close({ abort: true });
    const leased = await env.db.selectFrom('deliveries').selectAll().execute();
    expect(leased.map((r) => [r.status, r.lease_owner])).toEqual([
      ['in_flight', 'node-a'],
      ['in_flight', 'node-a'],
      ['in_flight', 'node-a'],
    ]);
    expect(leased[0].lease_expires_at).toBeGreaterThan(env.clock.now());

    // Another process starting on the same database leaves node-a's rows alone…
    const other = env.make({ owner: 'node-b' });
    await other.worker.start();
    expect((await env.db.selectFrom('deliveries').select('status').execute()).map((r) => r.status)).toEqual([
      'in_flight',
      'in_flight',
      'in_flight',
    ]);
    // …until node-a's leases expire: then its polls take them back.
    // (expired leases are looked for every 30 polls of 250 ms)
    await env.clock.advance(leased[0].lease_expires_at! - env.clock.now() + 250 * 31);
    await other.worker.close({ abort: true });
    const after = await env.db.selectFrom('deliveries').select(['status', 'lease_owner']).execute();
    expect(after.filter((r) => r.status === 'in_flight' && r.lease_owner === 'node-a')).toEqual([]);

    // node-a restarting takes its own rows back at once.
    await env.db
      .updateTable('deliveries')
      .set({ status: 'in_flight', lease_owner: 'node-a', lease_expires_at: env.clock.now() + 3_600_000 })
      .execute();
    const again = env.make({ owner: 'node-a' });
    await again.worker.start();
    await again.worker.close({ abort: true });
    const mine = await env.db.selectFrom('deliveries').select(['status', 'lease_owner']).execute();
    expect(mine.filter((r) => r.status === 'in_flight' && r.lease_owner === 'node-a')).toHaveLength(0);
  });

  it('two workers on one database never send the same row twice', async () => {
    env = await setup();
    const other = env.make();
    await other.worker.start();
    for (let i = 0; i < 40; i++)
      await env.outbox.enqueue(env.db, {
        companyId: env.companyId,
        kind: 'pixel',
        url: env.rx.url(`/n${i}`),
      });
    await Promise.all([env.worker.drain(), other.worker.drain()]);
    await other.worker.close();
    const paths = env.rx.hits.map((h) => h.path);
    expect(paths).toHaveLength(40);
    expect(new Set(paths).size).toBe(40);
  });
});
