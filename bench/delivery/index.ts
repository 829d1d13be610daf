/**
 * Delivery throughput: `npm run bench -- delivery`.
 *
 * A receiver on loopback (a child process, as a real receiver is on another machine) answers 200 at once.
 * 20,000 pixels are enqueued in one transaction, then a worker with default limits (4 in flight per host,
 * 64 in all) and the real clock sends them. The pixels go to 16 tracker host names (all resolving to
 * 127.0.0.1), as a day's timer pixels go to many trackers. Target: 2,000 pixels/s.
 * Env: PIXELS, HOSTS (host names), DATABASE_URL (PostgreSQL instead of a SQLite file).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SystemClock } from '../../src/clock.js';
import { createDelivery } from '../../src/delivery/index.js';
import { dropSchema, openStore, type Store } from '../../src/store/db.js';
import { record } from '../lib/report.js';

const PIXELS = Number(process.env.PIXELS ?? 20_000);
const HOSTS = Array.from({ length: Number(process.env.HOSTS ?? 16) }, (_, i) => `t${i + 1}.bench`);
const TARGET_PER_S = 2_000;

if (process.env.BENCH_DELIVERY_RECEIVER) runReceiver();
else await main();

function runReceiver(): void {
  let count = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.end('ok');
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on('message', () => process.send?.({ count }, () => process.exit(0)));
}

async function startReceiver(): Promise<{ port: number; stop(): Promise<number> }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BENCH_DELIVERY_RECEIVER: '1' },
    execArgv: process.execArgv,
  });
  const port = await new Promise<number>((r) => child.once('message', (m: { port: number }) => r(m.port)));
  const stop = () =>
    new Promise<number>((r) => {
      child.once('message', (m: { count: number }) => r(m.count));
      child.send('stop');
    });
  return { port, stop };
}

async function openBenchStore(): Promise<{ store: Store; label: string; cleanup(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const schema = `bench_delivery_${process.pid}`;
    return {
      store: await openStore({ databaseUrl: url, schema }),
      label: 'postgres',
      cleanup: () => dropSchema(url, schema),
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-delivery-bench-'));
  const store = await openStore({ sqliteFile: path.join(dir, 'bench.db') });
  return { store, label: 'sqlite file', cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function main(): Promise<void> {
  const receiver = await startReceiver();
  const { store, label, cleanup } = await openBenchStore();
  const { outbox, worker } = createDelivery({
    db: store.db,
    clock: new SystemClock(),
    config: { allow: ['127.0.0.1'], resolver: async () => [{ address: '127.0.0.1', family: 4 }] },
  });
  const now = Date.now();
  const company = await store.db
    .insertInto('companies')
    .values({
      name: 'bench',
      default_click_url: null,
      default_sale_url: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  const t0 = performance.now();
  await store.db.transaction().execute(async (trx) => {
    for (let i = 0; i < PIXELS; i++) {
      const host = HOSTS[i % HOSTS.length];
      await outbox.enqueue(trx, {
        companyId: company.id,
        kind: 'pixel',
        url: `http://${host}:${receiver.port}/px?call=${i}`,
      });
    }
  });
  const enqueueMs = performance.now() - t0;

  const t1 = performance.now();
  await worker.start();
  await worker.drain();
  const sendMs = performance.now() - t1;
  await worker.close();
  const received = await receiver.stop();

  const delivered = await store.db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'delivered')
    .executeTakeFirstOrThrow();
  const rate = Number(delivered.n) / (sendMs / 1000);
  const pass = Number(delivered.n) === PIXELS && received === PIXELS && rate >= TARGET_PER_S;
  const load = os.loadavg()[0].toFixed(1);
  console.log(
    `delivery bench (${label}, ${HOSTS.length} hosts, ${os.cpus().length} CPUs, load ${load}, node ${process.version})`,
  );
  console.log(
    `  enqueued  ${PIXELS} pixels in ${enqueueMs.toFixed(0)} ms (${((PIXELS / enqueueMs) * 1000).toFixed(0)}/s)`,
  );
  console.log(`  delivered ${delivered.n} (receiver saw ${received}) in ${sendMs.toFixed(0)} ms`);
  console.log(`  throughput ${rate.toFixed(0)} pixels/s   target 2,000 pixels/s   ${pass ? 'PASS' : 'FAIL'}`);

  record({
    bench: 'delivery',
    case: `${PIXELS} pixels to ${HOSTS.length} hosts`,
    db: label,
    throughput: `${rate.toFixed(0)} pixels/s`,
    p50: Number.NaN,
    p95: Number.NaN,
    p99: Number.NaN,
    target: '≥ 2,000 pixels/s',
    pass,
  });

  await store.close();
  await cleanup();
  // Exit 0 when it ran: the verdict is printed.
  process.exit(0);
}
