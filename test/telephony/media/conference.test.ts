import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { decode, encode } from '../../../src/telephony/media/g711.js';
import { NodeMediaEngine } from '../../../src/telephony/media/node-engine.js';
import { parseRtp, writeRtp } from '../../../src/telephony/media/rtp.js';

const socks: dgram.Socket[] = [];
let engine: NodeMediaEngine | undefined;
afterEach(async () => {
  await engine?.shutdown();
  for (const s of socks) s.close();
  socks.length = 0;
});

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('conference mixing and mute', () => {
  it('each member hears the others (summed) but not itself; a muted member is not heard', async () => {
    const base = 50_000 + Math.floor(Math.random() * 7_000) * 2;
    engine = new NodeMediaEngine({ host: '127.0.0.1', ports: [base, base + 20], events: { dtmf: () => {} } });
    const peers: { id: string; s: dgram.Socket; got: Buffer[]; port: number }[] = [];
    for (const id of ['a', 'b', 'c']) {
      const s = dgram.createSocket('udp4');
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
      socks.push(s);
      const got: Buffer[] = [];
      s.on('message', (m) => got.push(m));
      const { port } = await engine.open(id);
      engine.connect(id, {
        address: '127.0.0.1',
        port: s.address().port,
        codec: 'PCMU',
        payloadType: 0,
        dtmfPayloadType: undefined,
      });
      peers.push({ id, s, got, port });
    }
    engine.conference(['a', 'b', 'c']);
    const tone = (v: number) => encode('PCMU', new Int16Array(160).fill(v));
    const send = (i: number, v: number) =>
      peers[i].s.send(
        writeRtp({ payloadType: 0, marker: false, sequence: 1, timestamp: 0, ssrc: i + 1 }, tone(v)),
        peers[i].port,
        '127.0.0.1',
      );
    const levels = (i: number) => peers[i].got.map((m) => decode('PCMU', parseRtp(m)!.payload)[0]);
    const heard = (i: number, v: number, tol = 150) => levels(i).some((l) => Math.abs(l - v) < tol);
    send(0, 1000);
    send(1, 2000);
    await until(() => heard(0, 2000) && heard(1, 1000) && heard(2, 3000, 250));
    expect(heard(0, 1000) || heard(0, 3000, 250)).toBe(false); // nobody hears itself

    engine.mute('a', true);
    for (const p of peers) p.got.length = 0;
    send(0, 1000);
    send(1, 2000);
    await until(() => heard(2, 2000));
    expect(heard(2, 3000, 250) || heard(1, 1000)).toBe(false);
  });
});
