import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { header, type SipMessage, type SipRequest } from '../../../src/telephony/sip/message.js';
import { listen, type Peer, type Transport } from '../../../src/telephony/sip/transport.js';

const OPTIONS = (branch: string) =>
  `OPTIONS sip:sb@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=${branch}\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:sb@h>\r\nCall-ID: ${branch}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;

let open: Transport[] = [];
afterEach(async () => {
  for (const t of open) await t.close();
  open = [];
});

async function start() {
  const got: { msg: SipMessage; from: Peer }[] = [];
  const bad: { error: string; request?: SipRequest }[] = [];
  const t = await listen('127.0.0.1', 0, {
    message: (msg, from) => got.push({ msg, from }),
    malformed: (error, _s, _f, request) => bad.push({ error, request }),
  });
  open.push(t);
  return { t, got, bad };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('SIP transports on one ephemeral port', () => {
  it('receives UDP datagrams, reports malformed ones, ignores keep-alives, and answers to the source', async () => {
    const { t, got, bad } = await start();
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const replies: string[] = [];
    sock.on('message', (b) => replies.push(b.toString()));
    sock.send('\r\n\r\n', t.address.port, '127.0.0.1');
    sock.send(OPTIONS('z9hG4bKu1'), t.address.port, '127.0.0.1');
    sock.send('garbage\r\n\r\n', t.address.port, '127.0.0.1');
    await until(() => got.length === 1 && bad.length === 1);
    expect(got[0].from).toEqual({ protocol: 'UDP', host: '127.0.0.1', port: sock.address().port });
    t.send({ ...(got[0].msg as SipRequest) }, got[0].from);
    await until(() => replies.length === 1);
    expect(replies[0]).toMatch(/^OPTIONS /);
    sock.close();
  });

  it('frames TCP messages split across writes and replies on the same connection', async () => {
    const { t, got } = await start();
    const sock = net.connect(t.address.port, '127.0.0.1');
    const received: Buffer[] = [];
    sock.on('data', (b) => received.push(b));
    const text = OPTIONS('z9hG4bKt1') + OPTIONS('z9hG4bKt2');
    sock.write(text.slice(0, 50));
    await new Promise((r) => setTimeout(r, 20));
    sock.write(text.slice(50));
    await until(() => got.length === 2);
    expect(got.map((g) => header(g.msg, 'call-id'))).toEqual(['z9hG4bKt1', 'z9hG4bKt2']);
    t.send(got[0].msg, got[0].from);
    await until(() => received.length > 0);
    expect(Buffer.concat(received).toString()).toMatch(/^OPTIONS sip:sb@127.0.0.1 SIP\/2.0/);
    sock.destroy();
  });

  it('opens a TCP connection to send to a peer it has not heard from', async () => {
    const a = await start();
    const b = await start();
    const msg = (await import('../../../src/telephony/sip/parser.js')).parseDatagram(
      Buffer.from(OPTIONS('z9hG4bKx')),
    );
    if (!msg.ok) throw new Error(msg.error);
    a.t.send(msg.message, { protocol: 'TCP', host: '127.0.0.1', port: b.t.address.port });
    await until(() => b.got.length === 1);
    expect(b.got[0].from.protocol).toBe('TCP');
  });
});
