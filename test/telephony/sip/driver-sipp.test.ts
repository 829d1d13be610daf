/**
 * The sip driver against real sipp peers, with a scripted stand-in for the engine: sipp calls in
 * (answer, hang-ups both ways, CANCEL while ringing, DTMF) and sipp as the target (answer, 486,
 * no answer, target hang-up, relay between bridged legs).
 */
import dgram from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/clock.js';
import type { DriverEvent, IncomingCall } from '../../../src/telephony/driver.js';
import type { NodeMediaEngine } from '../../../src/telephony/media/node-engine.js';
import { SipDriver } from '../../../src/telephony/sip/driver.js';
import { freeUdpPort, sipp, uacCancelScenario, uacScenario, uasScenario } from './sipp.js';

const drivers: SipDriver[] = [];
afterEach(async () => {
  for (const d of drivers) await d.stop();
  drivers.length = 0;
});

async function start(onIncoming: (c: IncomingCall, d: SipDriver) => void = () => {}, maxSettingUp?: number) {
  const base = 20_000 + Math.floor(Math.random() * 4000) * 2;
  const d = new SipDriver({
    maxSettingUp,
    clock: new SystemClock(),
    listen: { host: '127.0.0.1', port: 0 },
    rtpPorts: [base, base + 200],
    promptDir: path.join(os.tmpdir(), 'switchboard-prompts-test'),
  });
  const events: (DriverEvent & { cmd?: string })[] = [];
  const incoming: IncomingCall[] = [];
  d.attach({
    incoming: async (c) => {
      incoming.push(c);
      onIncoming(c, d);
      return 'call-uuid';
    },
    event: (e) => events.push(e),
  });
  await d.start();
  drivers.push(d);
  return { d, events, incoming, target: `127.0.0.1:${d.port}` };
}

const until = async (cond: () => boolean, ms = 15_000) => {
  for (let i = 0; i < ms / 20 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(cond()).toBe(true);
};

const ok = async (run: Awaited<ReturnType<typeof sipp>>) => {
  const r = await run.exited;
  if (r.code !== 0) console.error(r.output);
  expect(r.code).toBe(0);
};

describe('sipp calls Switchboard', () => {
  it('answers, plays the greeting, and sees the caller hang up', async () => {
    const t = await start((c, d) => {
      void d
        .answer('a1', c.leg)
        .then(() => d.play('p1', c.leg, { kind: 'tts', text: 'Thanks for calling', voice: 'Female' }));
    });
    await ok(
      await sipp(uacScenario({ to: '+15550001111', holdMs: 3000, hangup: 'caller' }), { target: t.target }),
    );
    expect(t.incoming).toEqual([{ leg: expect.any(String), from: '+15557654321', to: '+15550001111' }]);
    await until(() => t.events.some((e) => e.type === 'hangup'));
    expect(t.events.filter((e) => e.type !== 'dtmf')).toEqual([
      { type: 'playDone', leg: t.incoming[0].leg, cmd: 'p1' },
      { type: 'hangup', leg: t.incoming[0].leg, by: 'caller' },
    ]);
  });

  it('hangs up on the caller with a BYE the caller answers', async () => {
    const t = await start((c, d) => {
      void d.answer('a1', c.leg).then(() => setTimeout(() => void d.hangup('h1', c.leg), 300));
    });
    await ok(
      await sipp(uacScenario({ to: '+15550001111', holdMs: 0, hangup: 'remote' }), { target: t.target }),
    );
    expect(t.events.filter((e) => e.type === 'hangup')).toEqual([]);
  });

  it('CANCEL while ringing: 200 to the CANCEL, 487 to the INVITE, the engine hears the caller hang up', async () => {
    const t = await start();
    await ok(await sipp(uacCancelScenario('+15550001111'), { target: t.target }));
    await until(() => t.events.length > 0);
    expect(t.events).toEqual([{ type: 'hangup', leg: t.incoming[0].leg, by: 'caller' }]);
  });

  it('reports the digit the caller presses (RFC 4733 on its payload type 96, after undeclared type 97)', async () => {
    const t = await start((c, d) => void d.answer('a1', c.leg));
    await ok(
      await sipp(uacScenario({ to: '+15550001111', holdMs: 2500, hangup: 'caller', dtmf: '1' }), {
        target: t.target,
      }),
    );
    await until(() => t.events.some((e) => e.type === 'hangup'));
    expect(t.events.filter((e) => e.type === 'dtmf')).toEqual([
      { type: 'dtmf', leg: t.incoming[0].leg, digit: '1' },
    ]);
  });
});

describe('malformed messages', () => {
  it('answers 400 (or drops) and keeps taking calls', async () => {
    const t = await start((c, d) => void d.answer('a1', c.leg));
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const replies: string[] = [];
    sock.on('message', (m) => replies.push(m.toString().split('\r\n')[0]));
    const junk = [
      Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]),
      Buffer.from(
        'INVITE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKm1;rport\r\nCSeq: one INVITE\r\n\r\n',
      ),
      Buffer.from(
        `INVITE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKm2;rport\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:x@h>\r\nCall-ID: m2\r\nCSeq: 1 INVITE\r\nContent-Length: 9999\r\n\r\nv=0`,
      ),
      Buffer.from(
        `INVITE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKm3;rport\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:x@h>\r\nCall-ID: m3\r\nCSeq: 1 INVITE\r\nMax-Forwards: 0\r\n\r\n`,
      ),
      Buffer.from(
        `INVITE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKm4;rport\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:x@h>\r\nCall-ID: m4\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nhello`,
      ),
      Buffer.from('x'.repeat(60_000)),
    ];
    for (const j of junk) sock.send(j, t.d.port, '127.0.0.1');
    await until(() => replies.filter((r) => !r.includes(' 100 ')).length >= 4);
    expect(replies.filter((r) => !r.includes(' 100 ')).sort()).toEqual([
      'SIP/2.0 400 Content-Length larger than the message',
      'SIP/2.0 400 missing from header',
      'SIP/2.0 483 Too Many Hops',
      'SIP/2.0 488 Not Acceptable Here',
    ]);
    sock.close();
    await ok(
      await sipp(uacScenario({ to: '+15550001111', holdMs: 200, hangup: 'caller' }), {
        target: `127.0.0.1:${t.d.port}`,
      }),
    );
    expect(t.incoming).toHaveLength(1);
  });
});

describe('overload', () => {
  it('refuses INVITEs with 503 while maxSettingUp calls wait for the engine, and takes them again after', async () => {
    const t = await start(() => {}, 2); // the engine never answers: every call stays setting up
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const finals = new Map<string, string>();
    sock.on('message', (m) => {
      const text = m.toString();
      const status = text.split('\r\n')[0];
      const callId = /Call-ID: (\S+)/i.exec(text)?.[1] ?? '';
      if (!/ 1\d\d /.test(status)) finals.set(callId, status);
    });
    const sdp =
      'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n';
    const invite = (n: number) =>
      Buffer.from(
        `INVITE sip:+15550001111@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${sock.address().port};branch=z9hG4bKo${n}\r\nFrom: <sip:a@h>;tag=${n}\r\nTo: <sip:x@h>\r\nCall-ID: o${n}\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
      );
    for (const n of [1, 2]) sock.send(invite(n), t.d.port, '127.0.0.1');
    await until(() => t.incoming.length === 2);
    sock.send(invite(3), t.d.port, '127.0.0.1');
    await until(() => finals.has('o3'));
    expect(finals.get('o3')).toBe('SIP/2.0 503 Service Unavailable');
    expect(t.incoming).toHaveLength(2);
    // The engine ends one: a new INVITE is taken.
    await t.d.hangup('h', t.incoming[0].leg);
    sock.send(invite(4), t.d.port, '127.0.0.1');
    await until(() => t.incoming.length === 3);
    expect(finals.has('o4')).toBe(false);
    sock.close();
  });
});

describe('Switchboard calls a sipp target', () => {
  async function originate(kind: Parameters<typeof uasScenario>[0], timeoutS = 10) {
    const t = await start();
    const port = await freeUdpPort();
    const run = await sipp(uasScenario(kind), { port });
    await new Promise((r) => setTimeout(r, 300)); // sipp binds its port
    await t.d.originate('o1', {
      leg: 'L1',
      callUuid: 'c',
      to: `sip:target@127.0.0.1:${port}`,
      from: '+15557654321',
      timeoutS,
    });
    return { ...t, run };
  }

  it('answered: ringing then answered, both echoing the originate; our BYE ends it', async () => {
    const t = await originate('answer');
    await until(() => t.events.some((e) => e.type === 'answered')).catch(async (e) => {
      t.run.kill();
      console.error(t.events, (await t.run.exited).output);
      throw e;
    });
    await t.d.hangup('h1', 'L1');
    await ok(t.run);
    expect(t.events).toEqual([
      { type: 'ringing', leg: 'L1', cmd: 'o1' },
      { type: 'answered', leg: 'L1', cmd: 'o1' },
    ]);
  });

  it('486 is busy', async () => {
    const t = await originate('busy');
    await ok(t.run);
    await until(() => t.events.length > 0);
    expect(t.events).toEqual([{ type: 'busy', leg: 'L1', cmd: 'o1' }]);
  });

  it('no answer within the timeout: CANCEL, and noAnswer once', async () => {
    const t = await originate('no-answer', 1);
    await ok(t.run);
    expect(t.events).toEqual([
      { type: 'ringing', leg: 'L1', cmd: 'o1' },
      { type: 'noAnswer', leg: 'L1', cmd: 'o1' },
    ]);
  });

  it('bridges a sipp caller to a sipp target and relays audio both ways (A-law in, μ-law target, echoed back)', async () => {
    const port = await freeUdpPort();
    const uas = await sipp(uasScenario('answer'), { port, extra: ['-rtp_echo'] });
    await new Promise((r) => setTimeout(r, 300));
    let inLeg = '';
    const t = await start((c, d) => {
      inLeg = c.leg;
      void d.originate('o1', {
        leg: 'B',
        callUuid: 'c',
        to: `sip:target@127.0.0.1:${port}`,
        from: c.from,
        timeoutS: 10,
      });
    });
    t.d.attach({
      incoming: async (c) => {
        t.incoming.push(c);
        inLeg = c.leg;
        void t.d.originate('o1', {
          leg: 'B',
          callUuid: 'c',
          to: `sip:target@127.0.0.1:${port}`,
          from: c.from,
          timeoutS: 10,
        });
        return 'c';
      },
      event: (e) => {
        t.events.push(e);
        if (e.type === 'answered') void t.d.answer('a1', inLeg).then(() => t.d.bridge('b1', inLeg, 'B'));
        if (e.type === 'hangup' && e.leg === inLeg) void t.d.hangup('h1', 'B');
      },
    });
    const uac = await sipp(
      uacScenario({ to: '+15550001111', holdMs: 4000, hangup: 'caller', codecs: '8', pcap: 'g711a.pcap' }),
      {
        target: t.target,
        files: ['/usr/share/sip-tester/g711a.pcap'],
      },
    );
    await ok(uac);
    await ok(uas);
    // Each caller packet crosses twice: caller → target, and its echo target → caller.
    expect((t.d.media as NodeMediaEngine).relayed).toBeGreaterThan(100);
  });

  it('the target hangs up: hangup by target', async () => {
    const t = await originate('answer-then-hangup');
    await ok(t.run);
    await until(() => t.events.some((e) => e.type === 'hangup'));
    expect(t.events.at(-1)).toEqual({ type: 'hangup', leg: 'L1', by: 'target' });
  });
});
