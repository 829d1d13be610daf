import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { decode, encode } from '../../../src/telephony/media/g711.js';
import { NodeMediaEngine } from '../../../src/telephony/media/node-engine.js';
import { writeRtp } from '../../../src/telephony/media/rtp.js';

const socks: dgram.Socket[] = [];
let engine: NodeMediaEngine | undefined;
afterEach(async () => {
  await engine?.shutdown();
  for (const s of socks) s.close();
  socks.length = 0;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recording', () => {
  it('mixes what the legs send into a WAV, leaving out what came while paused', async () => {
    const base = 50_000 + Math.floor(Math.random() * 7_000) * 2;
    engine = new NodeMediaEngine({ host: '127.0.0.1', ports: [base, base + 20], events: { dtmf: () => {} } });
    const { port } = await engine.open('caller');
    await engine.open('other');
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    socks.push(s);
    engine.connect('caller', {
      address: '127.0.0.1',
      port: s.address().port,
      codec: 'PCMU',
      payloadType: 0,
      dtmfPayloadType: undefined,
    });
    let seq = 0;
    // Each phase sends a constant level the test can recognise in the file: 1000, then 3000 (paused), 5000.
    const send = async (level: number, packets: number) => {
      const payload = encode('PCMU', new Int16Array(160).fill(level));
      const heard = decode('PCMU', payload)[0];
      for (let i = 0; i < packets; i++) {
        s.send(
          writeRtp(
            { payloadType: 0, marker: false, sequence: seq++, timestamp: seq * 160, ssrc: 7 },
            payload,
          ),
          port,
          '127.0.0.1',
        );
        await sleep(20);
      }
      return heard;
    };
    engine.record('call', ['caller', 'other']);
    const a = await send(1000, 15);
    await sleep(100);
    engine.pauseRecording('call', true);
    const b = await send(3000, 15);
    await sleep(100);
    engine.pauseRecording('call', false);
    const c = await send(5000, 15);
    await sleep(100);
    const file = engine.finishRecording('call')!;
    expect(file.toString('ascii', 0, 4)).toBe('RIFF');
    expect(file.readUInt32LE(24)).toBe(8000);
    const samples = new Int16Array(file.buffer.slice(file.byteOffset + 44, file.byteOffset + file.length));
    const levels = new Set(samples);
    expect(levels.has(a)).toBe(true);
    expect(levels.has(c)).toBe(true);
    expect(levels.has(b)).toBe(false);
    // Everything heard before the pause comes before everything heard after it.
    expect(samples.lastIndexOf(a)).toBeLessThan(samples.indexOf(c));
    expect(engine.finishRecording('call')).toBeUndefined();
  });

  it('holds what we played to a recorded leg (prompts, hold music), mixed with what the legs sent', async () => {
    const base = 50_000 + Math.floor(Math.random() * 7_000) * 2;
    engine = new NodeMediaEngine({ host: '127.0.0.1', ports: [base, base + 20], events: { dtmf: () => {} } });
    await engine.open('caller');
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    socks.push(s);
    engine.connect('caller', {
      address: '127.0.0.1',
      port: s.address().port,
      codec: 'PCMU',
      payloadType: 0,
      dtmfPayloadType: undefined,
    });
    engine.record('call', ['caller']);
    // Ten frames of a constant 2000: a prompt or hold music the caller hears.
    const finished = await engine.play('caller', new Int16Array(1600).fill(2000));
    expect(finished).toBe(true);
    const file = engine.finishRecording('call')!;
    const samples = new Int16Array(file.buffer.slice(file.byteOffset + 44, file.byteOffset + file.length));
    expect(samples.filter((v) => v === 2000).length).toBe(1600);
  });
});
