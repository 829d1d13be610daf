import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../src/clock.js';
import { createDelivery, type DeliveryConfig } from '../../src/delivery/index.js';
import { dropSchema, openStore, type Store } from '../../src/store/db.js';

/** A fresh database: SQLite in memory, or its own PostgreSQL schema when DATABASE_URL is set. */
export async function openTestStore(): Promise<Store> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) return openStore({ sqliteFile: ':memory:' });
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const store = await openStore({ databaseUrl, schema });
  return {
    ...store,
    async close() {
      await store.close();
      await dropSchema(databaseUrl, schema);
    },
  };
}

export interface Hit {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

/** A local receiver on 127.0.0.1 that records every request; `handler` answers (default 200 "ok"). */
export async function startReceiver(clock: ManualClock, handler?: Handler) {
  const hits: Hit[] = [];
  let current: Handler = handler ?? ((_q, res) => res.end('ok'));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      hits.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        at: clock.now(),
      });
      current(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    hits,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    setHandler(h: Handler) {
      current = h;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Store, manual clock, receiver and a started worker allowed to reach loopback. */
export async function setup(config: DeliveryConfig = {}, random: () => number = () => 0.5) {
  const store = await openTestStore();
  const clock = new ManualClock();
  const rx = await startReceiver(clock);
  const company = await store.db
    .insertInto('companies')
    .values({
      name: 'Co',
      default_click_url: null,
      default_sale_url: null,
      created_at: clock.now(),
      updated_at: clock.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const make = (extra: DeliveryConfig = {}) =>
    createDelivery({ db: store.db, clock, random, config: { allow: ['127.0.0.1'], ...config, ...extra } });
  const d = make();
  await d.worker.start();
  return {
    store,
    db: store.db,
    clock,
    rx,
    companyId: company.id,
    ...d,
    make,
    row: (id: number) =>
      store.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    async close() {
      await d.worker.close({ abort: true });
      await rx.close();
      await store.close();
    },
  };
}

/** Waits (real time, bounded) for a condition that depends on real network I/O, not on business time. */
export async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}
