import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/clock.js';
import type { InboundCall, OutboundCall } from '../../../src/telephony/sip/session.js';
import { UserAgent } from '../../../src/telephony/sip/ua.js';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
const uas: UserAgent[] = [];
afterEach(async () => {
  for (const u of uas) await u.stop();
  uas.length = 0;
});

async function agent(onInvite: (c: InboundCall) => void = () => {}) {
  const ua = new UserAgent(
    { clock: new SystemClock(), listenHost: '127.0.0.1', listenPort: 0 },
    {
      invite: (c) => {
        void c.prepare().then(() => onInvite(c));
      },
    },
  );
  await ua.start();
  uas.push(ua);
  return ua;
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

function dial(a: UserAgent, b: UserAgent) {
  const log: string[] = [];
  const call: OutboundCall = a.call({
    target: `sip:target@127.0.0.1:${b.boundPort}`,
    from: { uri: 'sip:caller@127.0.0.1' },
    to: `sip:target@127.0.0.1:${b.boundPort}`,
    sdp: SDP,
    via: { protocol: 'UDP', host: '127.0.0.1', port: b.boundPort },
  });
  call.listener = {
    progress: (s) => log.push(`progress ${s}`),
    answered: () => log.push('answered'),
    failed: (s) => log.push(`failed ${s}`),
    ended: (r) => log.push(`ended ${r}`),
  };
  call.start();
  return { call, log };
}

describe('two user agents over UDP', () => {
  it('ring, answer, ACK; the callee hangs up with a BYE', async () => {
    let inbound: InboundCall | undefined;
    const ended: string[] = [];
    const b = await agent((c) => {
      inbound = c;
      c.listener = { ended: (r) => ended.push(r) };
      c.ring();
      c.accept(SDP);
    });
    const a = await agent();
    const { log } = dial(a, b);
    await until(() => log.includes('answered'));
    await until(() => inbound?.state === 'confirmed');
    inbound!.hangup();
    await until(() => log.includes('ended bye'));
    expect(log).toEqual(['progress 180', 'answered', 'ended bye']);
    expect(ended).toEqual(['local']);
    expect(a.dialogs + b.dialogs).toBe(0);
  });

  it('a 486 is a failure; CANCEL while ringing gives 487 on both sides', async () => {
    const b = await agent((c) => (c.request.uri.includes('busy') ? c.reject(486) : c.ring()));
    const a = await agent();
    const busy = a.call({
      target: `sip:busy@127.0.0.1:${b.boundPort}`,
      from: { uri: 'sip:caller@127.0.0.1' },
      to: 'sip:busy@127.0.0.1',
      sdp: SDP,
      via: { protocol: 'UDP', host: '127.0.0.1', port: b.boundPort },
    });
    const busyLog: string[] = [];
    busy.listener = {
      progress: () => {},
      answered: () => {},
      failed: (s) => busyLog.push(`failed ${s}`),
      ended: () => {},
    };
    busy.start();
    await until(() => busyLog.length === 1);
    expect(busyLog).toEqual(['failed 486']);

    const { call, log } = dial(a, b);
    await until(() => log.includes('progress 180'));
    call.cancel();
    await until(() => log.includes('failed 487'));
  });

  it('answers a malformed request with 400 and an OPTIONS with 200, and stays up', async () => {
    const b = await agent();
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const got: string[] = [];
    sock.on('message', (m) => got.push(m.toString().split('\r\n')[0]));
    const base = (cseq: string) =>
      `OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${sock.address().port};branch=z9hG4bK${cseq.length}\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:x@h>\r\nCall-ID: m1\r\nCSeq: ${cseq}\r\nMax-Forwards: 70\r\n\r\n`;
    sock.send(base('x OPTIONS'), b.boundPort, '127.0.0.1');
    sock.send(base('1 OPTIONS'), b.boundPort, '127.0.0.1');
    await until(() => got.length === 2);
    expect(got.sort()).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 400 malformed CSeq header']);
    sock.close();
  });
});
