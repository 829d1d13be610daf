/**
 * Engine throughput: 1,000 simulated calls placed at once on one number routing to 20 targets, each
 * answered after 2 s of (manual) clock time. Measures wall time from the first call placed to the last
 * call connected. Target: 200 call set-ups per second on this machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const TARGET_RATE = 200;

const dir = mkdtempSync(path.join(tmpdir(), 'sb-bench-'));
const key = 'bench-key';
const clock = new ManualClock();
const app = await buildApp({
  config: loadConfig({ DATA_DIR: dir, SWITCHBOARD_API_KEY: key, RATE_LIMIT_PER_MINUTE: '0' }),
  clock,
  logger: false,
});
const api = async (method: string, url: string, body: unknown) => {
  const res = await app.http.inject({
    method: method as 'POST',
    url: `${url}?api_key=${key}`,
    payload: body as object,
  });
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.body}`);
  return res.json();
};

const targetIds: number[] = [];
for (let i = 0; i < 20; i++) {
  const t = await api('POST', '/targets.json', {
    target: { number: `+1415555${String(1000 + i)}`, name: `t${i}` },
  });
  targetIds.push(t.target.id);
}
const campaign = await api('POST', '/campaigns.json', { campaign: { name: 'bench', target_ids: targetIds } });
const number = (await api('POST', '/numbers.json', { number: { afid: 'bench', cid: campaign.campaign.cid } }))
  .number.number;

const started = performance.now();
const placed = await Promise.all(
  Array.from({ length: CALLS }, (_, i) =>
    app.sim.placeCall(`+1301${String(2000000 + i).padStart(7, '0')}`, number),
  ),
);
await app.engine.whenIdle();
const ringingAt = performance.now();
await clock.advance(2000);
const connectedAt = performance.now();

const connected = placed.filter(({ id }) =>
  app.sim.call(id).legs.some((l) => l.direction === 'outbound' && l.state === 'answered'),
).length;
const seconds = (connectedAt - started) / 1000;
const rate = connected / seconds;
console.log(`calls placed at once:      ${CALLS}`);
console.log(`connected:                 ${connected}`);
console.log(`all ringing after:         ${((ringingAt - started) / 1000).toFixed(2)} s`);
console.log(`all connected after:       ${seconds.toFixed(2)} s (wall clock)`);
console.log(
  `call set-ups per second:   ${rate.toFixed(0)} (target ≥ ${TARGET_RATE}) ${rate >= TARGET_RATE && connected === CALLS ? 'PASS' : 'FAIL'}`,
);
await app.close();
rmSync(dir, { recursive: true, force: true });
