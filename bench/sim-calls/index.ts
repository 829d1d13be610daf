/**
 * Call set-up speed: `npm run bench -- sim-calls` (BENCH_DB=postgres for PostgreSQL).
 *
 * One number routes to 20 targets that answer after 2 s of (manual) clock time.
 * 1. Engine: 1,000 calls placed at once in-process; wall time from the first call placed to the last
 *    call connected. Target: ≥ 200 set-ups/s.
 * 2. HTTP: `POST /sim/calls` from a load client in another process, 50 requests in flight, each a new
 *    caller; beside it a bare Fastify answering the same bytes. Target: ≥ 300 set-ups/s, p99 < 100 ms.
 */
import { ManualClock } from '../../src/clock.js';
import { load } from '../lib/load.js';
import { emit, emitPair, machine } from '../lib/report.js';
import { record, startReference, startSwitchboard } from '../lib/servers.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const TARGET_RATE = 200;
const HTTP_RATE = 300;
const HTTP_P99_MS = 100;

const clock = new ManualClock();
const sb = await startSwitchboard({ clock });
try {
  const targetIds: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = await sb.api('POST', '/targets.json', {
      target: { number: `+1415555${String(1000 + i)}`, name: `t${i}` },
    });
    targetIds.push(t.target.id);
  }
  const campaign = await sb.api('POST', '/campaigns.json', {
    campaign: { name: 'bench', target_ids: targetIds },
  });
  const number = (
    await sb.api('POST', '/numbers.json', { number: { afid: 'bench', cid: campaign.campaign.cid } })
  ).number.number;
  console.log(`sim call set-up, ${sb.db}; ${machine()}`);

  const started = performance.now();
  const placed = await Promise.all(
    Array.from({ length: CALLS }, (_, i) =>
      sb.app.sim.placeCall(`+1301${String(2000000 + i).padStart(7, '0')}`, number),
    ),
  );
  await sb.app.engine.whenIdle();
  const ringingAt = performance.now();
  await clock.advance(2000);
  const connectedAt = performance.now();
  const connected = placed.filter(({ id }) =>
    sb.app.sim.call(id).legs.some((l) => l.direction === 'outbound' && l.state === 'answered'),
  ).length;
  const seconds = (connectedAt - started) / 1000;
  const rate = connected / seconds;
  console.log(
    `engine: ${CALLS} calls at once, ${connected} connected; all ringing after ${((ringingAt - started) / 1000).toFixed(2)} s, connected after ${seconds.toFixed(2)} s`,
  );
  emit({
    bench: 'sim-calls',
    case: `engine: ${CALLS} calls placed at once`,
    db: sb.db,
    throughput: `${Math.round(rate)} set-ups/s`,
    p50: Number.NaN,
    p95: Number.NaN,
    p99: Number.NaN,
    target: `≥ ${TARGET_RATE}/s`,
    pass: rate >= TARGET_RATE && connected === CALLS,
  });

  const path = `/sim/calls?api_key=${sb.key}`;
  const headers = { 'content-type': 'application/json' };
  const body = JSON.stringify({ from: '+13025{n6}', to: number });
  const recorded = await record(sb.url, [path], {
    method: 'POST',
    headers,
    body: body.replace('{n6}', '999999'),
  });
  const ref = await startReference(recorded, 'POST');
  try {
    // Distinct callers, so no call is a repeat or a duplicate of another.
    const opts = { paths: [path], method: 'POST', headers, body, connections: 50 };
    const mine = await load({ url: sb.url, ...opts });
    const theirs = await load({ url: ref.url, ...opts });
    const row = emitPair('sim-calls', 'HTTP POST /sim/calls, 50 in flight', sb.db, mine, theirs, {
      p99: HTTP_P99_MS,
      status: 201,
    });
    const ok = row.pass && mine.rps >= HTTP_RATE;
    console.log(
      `set-ups over HTTP: ${Math.round(mine.rps)}/s (target ≥ ${HTTP_RATE}/s, p99 < ${HTTP_P99_MS} ms): ${ok ? 'PASS' : 'FAIL'}`,
    );
  } finally {
    await ref.close();
  }
} finally {
  await sb.close();
}
