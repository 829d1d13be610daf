/**
 * Whole calls through the engine on the sip driver that have no sim counterpart: hold from the phone
 * (re-INVITE) and an uploaded greeting played as audio. The scenarios both drivers share (forward,
 * failover, hang-ups, IVR) are in ../scenarios.ts; Call Control ones in call-control.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { dropSchema } from '../../../src/store/db.js';
import { freeUdpPort, sipp, uacScenario, uasScenario } from './sipp.js';

let app: App;
let close: () => Promise<void>;
const key = `k-${randomBytes(6).toString('hex')}`;

beforeEach(async () => {
  const databaseUrl = process.env.DATABASE_URL;
  const schema = databaseUrl ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const base = 26_000 + Math.floor(Math.random() * 1500) * 2;
  app = await buildApp({
    config: loadConfig({
      DATA_DIR: '/nonexistent',
      SWITCHBOARD_API_KEY: key,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema } : {}),
      SWITCHBOARD_TELEPHONY: 'sip',
      SIP_LISTEN: '127.0.0.1:0',
      RTP_PORTS: `${base}-${base + 200}`,
    }),
    logger: false,
    sqliteFileOverride: ':memory:',
  });
  close = async () => {
    await app.close();
    if (databaseUrl && schema) await dropSchema(databaseUrl, schema);
  };
});
afterEach(async () => close());

async function create(path: string, field: string, attrs: Record<string, unknown>) {
  const res = await app.http.inject({
    method: 'POST',
    url: `${path}.json?api_key=${key}`,
    payload: { [field]: attrs },
  });
  if (res.statusCode >= 300) throw new Error(res.body);
  return res.json()[field];
}

async function theCall() {
  for (let i = 0; i < 200; i++) {
    const row = await app.store.db.selectFrom('calls').selectAll().executeTakeFirst();
    if (row?.end_time) return row;
    await new Promise((r) => setTimeout(r, 50));
  }
  return app.store.db.selectFrom('calls').selectAll().executeTakeFirstOrThrow();
}

const ok = async (run: Awaited<ReturnType<typeof sipp>>) => {
  const r = await run.exited;
  if (r.code !== 0) console.error(r.output);
  expect(r.code).toBe(0);
};

async function target(kind: Parameters<typeof uasScenario>[0], priority: number) {
  const port = await freeUdpPort();
  const run = await sipp(uasScenario(kind), { port });
  const t = await create('/targets', 'target', {
    number: `sip:target@127.0.0.1:${port}`,
    name: kind,
    priority,
  });
  return { run, t };
}

async function number(targetIds: number[]) {
  const c = await create('/campaigns', 'campaign', { name: 'sip', target_ids: targetIds });
  return (await create('/numbers', 'number', { afid: 'p', cid: c.cid })).number as string;
}

const dial = (to: string, opts: Partial<Parameters<typeof uacScenario>[0]> = {}) =>
  sipp(uacScenario({ to, holdMs: 1500, hangup: 'caller', ...opts }), {
    target: `127.0.0.1:${app.sip!.port}`,
  });

describe('sip driver under the engine', () => {
  it('hold from the phone: re-INVITE sendonly answered recvonly, sendrecv again after; the call goes on', async () => {
    const a = await target('answer', 1);
    const n = await number([a.t.id]);
    await ok(await dial(n, { phoneHold: true, holdMs: 500 }));
    await ok(a.run);
    expect(await theCall()).toMatchObject({ target_id: a.t.id, hung_up_by: 'caller', connected: 1 });
  });

  it('plays an uploaded greeting (a 16 kHz WAV, resampled by sox), not silence', async () => {
    const a = await target('answer-then-hangup', 1);
    const rate = 16_000;
    const pcm = Buffer.alloc(rate * 2); // one second of 440 Hz
    for (let i = 0; i < rate; i++)
      pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
    const c = await create('/campaigns', 'campaign', {
      name: 'audio',
      menu_options_attributes: [{ option: '1', target_number: a.t.number }],
      message_file_b64_data: Buffer.concat([wavHeader(pcm.length, rate), pcm]).toString('base64'),
      message_file_b64_filename: 'greeting.wav',
    });
    const n = (await create('/numbers', 'number', { afid: 'p', cid: c.cid })).number as string;
    const played: Int16Array[] = [];
    const media = app.sip!.media;
    const play = media.play.bind(media);
    media.play = (leg, samples, opts) => {
      played.push(samples);
      return play(leg, samples, opts);
    };
    // The caller presses 1 during the greeting and waits for our BYE: the target hangs up once reached.
    await ok(await dial(n, { hangup: 'remote', dtmf: '1', dtmfAfterMs: 1500 }));
    await ok(a.run);
    expect(played.length).toBeGreaterThanOrEqual(1);
    const greeting = played[0];
    expect(Math.abs(greeting.length - 8000)).toBeLessThan(100); // one second at 8 kHz
    const rms = Math.sqrt(greeting.reduce((sum, v) => sum + v * v, 0) / greeting.length);
    expect(rms).toBeGreaterThan(4000); // 8000 peak sine: about 5,657
    expect(await theCall()).toMatchObject({ dialed_number: a.t.number, connected: 1, hung_up_by: 'target' });
  });
});

function wavHeader(dataBytes: number, rate: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(dataBytes, 40);
  return h;
}
