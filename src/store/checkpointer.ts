import { Worker } from 'node:worker_threads';

/**
 * Checkpoints an SQLite WAL from a worker thread with its own connection. SQLite's automatic
 * checkpoint runs inside whichever write crosses the threshold, on the main thread, and its fsync is
 * what a request then waits for (the p99 of RTB pings); here that cost leaves the request path.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} db.close(); process.exit(0); });
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, modulePath: string, everyMs = 1000): Checkpointer {
  const worker = new Worker(SOURCE, { eval: true, workerData: { file, module: modulePath, everyMs } });
  worker.unref();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        // Unref'd while it runs so it never keeps a process up; but the caller now awaits its exit, and a
        // main thread with nothing else pending would otherwise end first with an unsettled await (13).
        worker.ref();
        worker.once('exit', () => resolve());
        // Unref'd while running; a last checkpoint after a big write can take seconds, and without a ref
        // the process would end with this promise unsettled (exit code 13) before the worker exits.
        worker.ref();
        worker.postMessage('stop');
      }),
  };
}
