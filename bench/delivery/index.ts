/**
 * Delivery throughput: `npm run bench -- delivery`.
 *
 * A receiver on loopback answers 200 at once; 20,000 pixels are enqueued (one transaction), then a worker
 * with default limits (4 in flight per host) and the real clock sends them. Pixels spread over 4 host names
 * that all resolve to 127.0.0.1, as timer pixels go to a handful of trackers. Target: 2,000 pixels/s.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SystemClock } from '../../src/clock.js';
import { createDelivery } from '../../src/delivery/index.js';
import { openStore } from '../../src/store/db.js';

const PIXELS = Number(process.env.PIXELS ?? 20_000);
const HOSTS = Array.from({ length: Number(process.env.HOSTS ?? 4) }, (_, i) => `t${i + 1}.bench`);
const TARGET_PER_S = 2_000;

// The receiver runs in a child process (this file again), as a real receiver would be on another machine;
// sharing the worker's event loop would halve what is measured.
if (process.env.BENCH_DELIVERY_RECEIVER) {
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
} else {
  await main();
}

async function startReceiver(): Promise<{ port: number; stop(): Promise<number> }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BENCH_DELIVERY_RECEIVER: '1' },
    execArgv: process.execArgv,
  });
  const port = await new Promise<number>((r) => child.once('message', (m: any) => r(m.port)));
  return {
    port,
    stop: () =>
      new Promise<number>((r) => {
        child.once('message', (m: any) => r(m.count));
        child.send('stop');
      }),
  };
}

async function main(): Promise<void> {
const receiver = await startReceiver();
const port = receiver.port;
const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-delivery-bench-'));
const databaseUrl = process.env.DATABASE_URL;
const store = await openStore(databaseUrl ? { databaseUrl, schema: `bench_delivery_${process.pid}` } : { sqliteFile: process.env.MEM ? ':memory:' : path.join(dir, 'bench.db') });
const clock = new SystemClock();
const { outbox, worker } = createDelivery({
  db: store.db,
  clock,
  config: { allow: ['127.0.0.1'], resolver: async () => [{ address: '127.0.0.1', family: 4 }] },
});

const now = Date.now();
const company = await store.db.insertInto('companies')
  .values({ name: 'bench', default_click_url: null, default_sale_url: null, created_at: now, updated_at: now })
  .returning('id').executeTakeFirstOrThrow();

const t0 = performance.now();
await store.db.transaction().execute(async (trx) => {
  for (let i = 0; i < PIXELS; i++) {
    const host = HOSTS[i % HOSTS.length];
    await outbox.enqueue(trx, { companyId: company.id, kind: 'pixel', url: `http://${host}:${port}/px?call=${i}&t=0` });
  }
});
const enqueueMs = performance.now() - t0;

const t1 = performance.now(); const cpu0 = process.cpuUsage();
await worker.start();
await worker.drain();
const sendMs = performance.now() - t1; const cpu1 = process.cpuUsage(cpu0); console.log("cpu ms", (cpu1.user + cpu1.system) / 1000, "sys", cpu1.system / 1000);
await worker.close();
const received = await receiver.stop(); console.log((globalThis as any).T);

const delivered = await store.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n'))
  .where('status', '=', 'delivered').executeTakeFirstOrThrow();
const rate = Number(delivered.n) / (sendMs / 1000);
const pass = Number(delivered.n) === PIXELS && received === PIXELS && rate >= TARGET_PER_S;

console.log(`delivery bench (${databaseUrl ? 'postgres' : 'sqlite file'}, ${os.cpus().length} CPUs, node ${process.version})`);
console.log(`  enqueue  ${PIXELS} pixels in ${enqueueMs.toFixed(0)} ms (${((PIXELS / enqueueMs) * 1000).toFixed(0)}/s)`);
console.log(`  delivered ${delivered.n}, receiver saw ${received}, in ${sendMs.toFixed(0)} ms`);
console.log(`  throughput ${rate.toFixed(0)} pixels/s  (target 2,000 pixels/s)  ${pass ? 'PASS' : 'FAIL'}`);

await store.close();
rmSync(dir, { recursive: true, force: true });
if (databaseUrl) {
  const { dropSchema } = await import('../../src/store/db.js');
  await dropSchema(databaseUrl, `bench_delivery_${process.pid}`);
}
process.exit(pass ? 0 : 1);
}
