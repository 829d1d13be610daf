import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { decode, encode, transcode } from '../../../src/telephony/media/g711.js';
import { NodeMediaEngine } from '../../../src/telephony/media/node-engine.js';
import { parseDtmf, parseRtp, writeDtmf, writeRtp } from '../../../src/telephony/media/rtp.js';

describe('G.711', () => {
  it('round-trips within the law’s quantisation step, both laws, and transcodes', () => {
    const pcm = Int16Array.from({ length: 2000 }, (_, i) => Math.round(20000 * Math.sin(i / 7)));
    for (const law of ['PCMU', 'PCMA'] as const) {
      const back = decode(law, encode(law, pcm));
      for (let i = 0; i < pcm.length; i++)
        expect(Math.abs(back[i] - pcm[i])).toBeLessThanOrEqual(Math.abs(pcm[i]) / 16 + 16);
    }
    const u = encode('PCMU', pcm);
    const viaA = decode('PCMA', transcode('PCMU', 'PCMA', u));
    const direct = decode('PCMU', u);
    for (let i = 0; i < pcm.length; i++)
      expect(Math.abs(viaA[i] - direct[i])).toBeLessThanOrEqual(Math.abs(direct[i]) / 16 + 16);
    expect(encode('PCMU', new Int16Array([0]))[0]).toBe(0xff);
    expect(encode('PCMA', new Int16Array([0]))[0]).toBe(0xd5);
  });
});

describe('RTP', () => {
  it('writes and reads the fixed header, skipping CSRCs, extensions and padding; rejects junk', () => {
    const pkt = writeRtp(
      { payloadType: 0, marker: true, sequence: 65535, timestamp: 2 ** 32 - 1, ssrc: 7 },
      Buffer.from([1, 2, 3]),
    );
    expect(parseRtp(pkt)).toMatchObject({
      payloadType: 0,
      marker: true,
      sequence: 65535,
      timestamp: 2 ** 32 - 1,
      ssrc: 7,
    });
    const ext = Buffer.concat([
      Buffer.from([0x91, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0, 1, 9, 9, 9, 9]),
      Buffer.from([5, 6]),
    ]);
    expect([...parseRtp(ext)!.payload]).toEqual([5, 6]);
    expect(parseRtp(Buffer.from([0x80, 200, 0, 0]))).toBeUndefined();
    expect(parseDtmf(writeDtmf({ event: 11, end: true, volume: 10, duration: 1600 }))).toEqual({
      event: 11,
      end: true,
      volume: 10,
      duration: 1600,
    });
  });
});

const engines: NodeMediaEngine[] = [];
const socks: dgram.Socket[] = [];
afterEach(async () => {
  for (const e of engines) await e.shutdown();
  for (const s of socks) s.close();
  engines.length = socks.length = 0;
});

async function peer() {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  socks.push(s);
  const got: Buffer[] = [];
  s.on('message', (m) => got.push(m));
  return { s, got, port: s.address().port };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

function engine(digits: string[] = []) {
  const base = 50_000 + Math.floor(Math.random() * 7_000) * 2; // clear of sipp's media ports (40,000–49,000)
  const e = new NodeMediaEngine({
    host: '127.0.0.1',
    ports: [base, base + 40],
    events: { dtmf: (_l, d) => digits.push(d) },
  });
  engines.push(e);
  return e;
}

describe('NodeMediaEngine', () => {
  it('relays between bridged legs, transcoding, latching to the real source, ignoring unknown payload types', async () => {
    const e = engine();
    const a = await peer();
    const b = await peer();
    const pa = (await e.open('a')).port;
    await e.open('b');
    // The caller's SDP names a wrong port: latching must follow where its packets come from.
    e.connect('a', { address: '127.0.0.1', port: 9, codec: 'PCMU', payloadType: 0, dtmfPayloadType: 96 });
    e.connect('b', {
      address: '127.0.0.1',
      port: b.port,
      codec: 'PCMA',
      payloadType: 8,
      dtmfPayloadType: 101,
    });
    e.bridge('a', 'b');
    const frame = encode(
      'PCMU',
      Int16Array.from({ length: 160 }, (_, i) => 1000 * Math.sin(i)),
    );
    a.s.send(
      writeRtp({ payloadType: 97, marker: false, sequence: 1, timestamp: 0, ssrc: 1 }, Buffer.alloc(4)),
      pa,
      '127.0.0.1',
    );
    a.s.send(
      writeRtp({ payloadType: 0, marker: false, sequence: 2, timestamp: 160, ssrc: 1 }, frame),
      pa,
      '127.0.0.1',
    );
    await until(() => b.got.length === 1);
    const out = parseRtp(b.got[0])!;
    expect(out.payloadType).toBe(8);
    expect(out.payload.equals(transcode('PCMU', 'PCMA', frame))).toBe(true);
  });

  it('detects RFC 4733 digits once per event on the leg’s own payload type, and generates them on the other’s', async () => {
    const digits: string[] = [];
    const e = engine(digits);
    const a = await peer();
    const pa = (await e.open('a')).port;
    e.connect('a', {
      address: '127.0.0.1',
      port: a.port,
      codec: 'PCMU',
      payloadType: 0,
      dtmfPayloadType: 96,
    });
    for (let i = 0; i < 4; i++)
      a.s.send(
        writeRtp(
          { payloadType: 96, marker: i === 0, sequence: i, timestamp: 480, ssrc: 1 },
          writeDtmf({ event: 1, end: i === 3, volume: 10, duration: 160 * (i + 1) }),
        ),
        pa,
        '127.0.0.1',
      );
    a.s.send(
      writeRtp(
        { payloadType: 101, marker: true, sequence: 9, timestamp: 960, ssrc: 1 },
        writeDtmf({ event: 5, end: false, volume: 10, duration: 160 }),
      ),
      pa,
      '127.0.0.1',
    );
    await until(() => digits.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(digits).toEqual(['1']);

    await e.sendDigits('a', '#7');
    const events = a.got
      .map(parseRtp)
      .filter((p) => p?.payloadType === 96)
      .map((p) => parseDtmf(p!.payload)!);
    expect([...new Set(events.map((ev) => ev.event))]).toEqual([11, 7]);
    expect(events.filter((ev) => ev.end)).toHaveLength(6);
  });

  it('plays samples on the shared tick, 160 per 20 ms packet, and reports the end', async () => {
    const e = engine();
    const a = await peer();
    await e.open('a');
    e.connect('a', {
      address: '127.0.0.1',
      port: a.port,
      codec: 'PCMA',
      payloadType: 8,
      dtmfPayloadType: undefined,
    });
    const ended = await e.play('a', new Int16Array(800));
    expect(ended).toBe(true);
    await until(() => a.got.length === 5);
    expect(a.got.map((p) => parseRtp(p)!.payload.length)).toEqual([160, 160, 160, 160, 160]);
    const ts = a.got.map((p) => parseRtp(p)!.timestamp);
    expect(ts.slice(1).map((t, i) => t - ts[i])).toEqual([160, 160, 160, 160]);
    const stopped = e.play('a', new Int16Array(8000), { loop: true });
    e.stop('a');
    expect(await stopped).toBe(false);
  });
});
