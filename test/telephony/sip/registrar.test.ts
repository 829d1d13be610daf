import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { loadSipConfig } from '../../../src/telephony/sip/config.js';
import { authorize, DigestChallenger } from '../../../src/telephony/sip/digest.js';
import { header, type SipRequest, type SipResponse } from '../../../src/telephony/sip/message.js';
import { Registrar, staticUsers } from '../../../src/telephony/sip/registrar.js';
import type { ServerTransaction } from '../../../src/telephony/sip/transaction.js';

const PEER = { protocol: 'UDP' as const, host: '127.0.0.1', port: 5999 };

function register(contact: string, auth?: string, expires = '300'): SipRequest {
  const headers = [
    { name: 'via', value: 'SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKr' },
    { name: 'from', value: '<sip:101@sb.test>;tag=r1' },
    { name: 'to', value: '<sip:101@sb.test>' },
    { name: 'call-id', value: 'reg1' },
    { name: 'cseq', value: '1 REGISTER' },
    { name: 'contact', value: contact },
    { name: 'expires', value: expires },
  ];
  if (auth) headers.push({ name: 'authorization', value: auth });
  return { kind: 'request', method: 'REGISTER', uri: 'sip:sb.test', headers, body: Buffer.alloc(0) };
}

function run(r: Registrar, req: SipRequest): SipResponse {
  let res: SipResponse | undefined;
  r.handle(req, { respond: (x: SipResponse) => (res = x) } as unknown as ServerTransaction, PEER);
  return res!;
}

describe('Registrar', () => {
  it('challenges, accepts the right password, refuses a wrong one, expires bindings on the clock', async () => {
    const clock = new ManualClock(0);
    const r = new Registrar(clock, 'sb.test', staticUsers('101:secret,102:other'));
    const first = run(r, register('<sip:101@127.0.0.1:5999>'));
    expect(first.status).toBe(401);
    const challenge = header(first, 'www-authenticate')!;
    const good = authorize(challenge, { username: '101', password: 'secret' }, 'REGISTER', 'sip:sb.test')!;
    const ok = run(r, register('<sip:101@127.0.0.1:5999>', good));
    expect(ok.status).toBe(200);
    expect(header(ok, 'contact')).toBe('<sip:101@127.0.0.1:5999>;expires=300');
    expect(r.contacts('101').map((b) => b.contact)).toEqual(['sip:101@127.0.0.1:5999']);
    const bad = authorize(challenge, { username: '101', password: 'nope' }, 'REGISTER', 'sip:sb.test')!;
    expect(run(r, register('<sip:101@127.0.0.1:5999>', bad)).status).toBe(403);
    expect(run(r, register('<sip:101@127.0.0.1:5999>', good, '10')).status).toBe(423);
    await clock.advance(301_000);
    expect(r.contacts('101')).toEqual([]);
  });

  it('a nonce from another registrar is refused; an old one is stale', async () => {
    const clock = new ManualClock(0);
    const d = new DigestChallenger('sb.test', () => clock.now());
    const other = new DigestChallenger('sb.test', () => clock.now());
    const pw = () => 'secret';
    const a = authorize(
      other.challenge(),
      { username: '101', password: 'secret' },
      'REGISTER',
      'sip:sb.test',
    )!;
    expect(d.verify(a, 'REGISTER', pw).result).toBe('bad');
    const b = authorize(d.challenge(), { username: '101', password: 'secret' }, 'REGISTER', 'sip:sb.test')!;
    expect(d.verify(b, 'REGISTER', pw).result).toBe('ok');
    await clock.advance(6 * 60_000);
    expect(d.verify(b, 'REGISTER', pw).result).toBe('stale');
  });
});

describe('loadSipConfig', () => {
  it('defaults, trunk credentials, and errors that name the variable', () => {
    expect(loadSipConfig({})).toMatchObject({
      listenHost: '0.0.0.0',
      listenPort: 5060,
      rtpPorts: [20000, 29999],
    });
    expect(loadSipConfig({ SIP_TRUNK: 'sip:acme:p%40ss@trunk.example:5080' }).trunk).toEqual({
      uri: 'sip:trunk.example:5080',
      credentials: { username: 'acme', password: 'p@ss' },
    });
    expect(() => loadSipConfig({ RTP_PORTS: '5-3' })).toThrow(/RTP_PORTS/);
    expect(() => loadSipConfig({ SIP_LISTEN: 'x:99999' })).toThrow(/SIP_LISTEN/);
    expect(() => loadSipConfig({ SIP_TRUNK: 'http://x' })).toThrow(/SIP_TRUNK/);
  });
});
