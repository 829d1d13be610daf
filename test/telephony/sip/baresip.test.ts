/**
 * baresip (a real softphone) registers with Digest, is called as a registered user, answers, and
 * records what it hears: the recording must match the greeting we synthesised (envelope correlation).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/clock.js';
import type { DriverEvent } from '../../../src/telephony/driver.js';
import { PromptCache } from '../../../src/telephony/media/prompts.js';
import { SipDriver } from '../../../src/telephony/sip/driver.js';
import { staticUsers } from '../../../src/telephony/sip/registrar.js';
import { freeUdpPort } from './sipp.js';

const GREETING = 'Thank you for calling Switchboard. Please hold while we connect you.';
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

const until = async (cond: () => boolean, ms = 20_000) => {
  for (let i = 0; i < ms / 50 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(cond()).toBe(true);
};

async function baresip(dir: string, driverPort: number, password: string) {
  const wav = path.join(dir, 'source.wav');
  // A quiet source long enough that aufile does not end the call (it hangs up at end of file).
  execFileSync('sox', [
    '-n',
    '-r',
    '8000',
    '-c',
    '1',
    '-b',
    '16',
    wav,
    'synth',
    '60',
    'sine',
    '300',
    'vol',
    '0.05',
  ]);
  const sipPort = await freeUdpPort();
  const rtp = 32_000 + Math.floor(Math.random() * 500) * 10;
  await writeFile(
    path.join(dir, 'config'),
    [
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module sndfile.so',
      'module account.so',
      `sip_listen 127.0.0.1:${sipPort}`,
      'net_interface 127.0.0.1',
      `audio_source aufile,${wav}`,
      `rtp_ports ${rtp}-${rtp + 9}`,
      'statmode_default off',
      'ringback_disabled yes',
      `snd_path ${dir}`,
      '',
    ].join('\n'),
  );
  await writeFile(
    path.join(dir, 'accounts'),
    `<sip:101@switchboard.test>;auth_pass=${password};outbound="sip:127.0.0.1:${driverPort}";answermode=auto;regint=60\n`,
  );
  const child: ChildProcess = spawn('stdbuf', ['-oL', 'baresip', '-f', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (b) => (log += b.toString()));
  child.stderr!.on('data', (b) => (log += b.toString()));
  cleanup.push(async () => {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGKILL');
  });
  return { log: () => log, child };
}

async function driver() {
  const base = 24_000 + Math.floor(Math.random() * 2000) * 2;
  const d = new SipDriver({
    clock: new SystemClock(),
    listen: { host: '127.0.0.1', port: 0 },
    rtpPorts: [base, base + 100],
    promptDir: path.join(os.tmpdir(), 'switchboard-prompts-test'),
    domain: 'switchboard.test',
    passwords: staticUsers('101:secret'),
  });
  const events: DriverEvent[] = [];
  d.attach({ incoming: async () => 'c', event: (e) => events.push(e) });
  await d.start();
  cleanup.push(() => d.stop());
  return { d, events };
}

/** Mean absolute amplitude per 20 ms: a shape that survives G.711 and small delays. */
function envelope(s: Int16Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 160 <= s.length; i += 160) {
    let sum = 0;
    for (let j = i; j < i + 160; j++) sum += Math.abs(s[j]);
    out.push(sum / 160);
  }
  return out;
}

function bestCorrelation(a: number[], b: number[]): number {
  let best = -1;
  for (let lag = 0; lag + b.length <= a.length + 25 && lag < a.length; lag++) {
    const n = Math.min(b.length, a.length - lag);
    if (n < b.length * 0.8) break;
    const x = a.slice(lag, lag + n);
    const y = b.slice(0, n);
    const mx = x.reduce((p, v) => p + v, 0) / n;
    const my = y.reduce((p, v) => p + v, 0) / n;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) ** 2;
      syy += (y[i] - my) ** 2;
    }
    best = Math.max(best, sxy / Math.sqrt(sxx * syy || 1));
  }
  return best;
}

function wavSamples(buf: Buffer): Int16Array {
  const data = buf.indexOf('data');
  const start = data + 8;
  const out = new Int16Array((buf.length - start) >> 1);
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(start + i * 2);
  return out;
}

describe('baresip as a registered softphone', () => {
  it('a wrong password is refused (403)', async () => {
    const { d } = await driver();
    const phone = await baresip(await mkdtemp(path.join(os.tmpdir(), 'baresip-')), d.port, 'wrong');
    await until(() => /403 Forbidden/.test(phone.log()));
    expect(d.registrar!.contacts('101')).toEqual([]);
  });

  it('registers, is called as sip:101@switchboard.test, answers, and hears our greeting', async () => {
    const { d, events } = await driver();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'baresip-'));
    const phone = await baresip(dir, d.port, 'secret');
    await until(() => d.registrar!.contacts('101').length === 1);
    await until(() => /200 OK.*1 binding/.test(phone.log()));

    await d.originate('o1', {
      leg: 'P',
      callUuid: 'c',
      to: 'sip:101@switchboard.test',
      from: '+15557654321',
      timeoutS: 10,
    });
    await until(() => events.some((e) => e.type === 'answered')).catch((e) => {
      console.error(events, phone.log());
      throw e;
    });
    await d.play('p1', 'P', { kind: 'tts', text: GREETING, voice: 'Female' });
    await until(() => events.some((e) => e.type === 'playDone'));
    await new Promise((r) => setTimeout(r, 300));
    await d.hangup('h1', 'P');
    await new Promise((r) => setTimeout(r, 500));

    const heard = (await readdir(dir)).find((f) => f.startsWith('dump') && f.endsWith('-dec.wav'));
    expect(heard).toBeDefined();
    const recorded = wavSamples(await readFile(path.join(dir, heard!)));
    const spoken = await new PromptCache(path.join(os.tmpdir(), 'switchboard-prompts-test')).speak(
      GREETING,
      'Female',
    );
    expect(bestCorrelation(envelope(recorded), envelope(spoken))).toBeGreaterThan(0.8);
  }, 60_000);
});
