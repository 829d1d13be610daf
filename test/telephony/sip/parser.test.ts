import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCSeq, parseNameAddr, parseUri, parseVia } from '../../../src/telephony/sip/headers.js';
import { header, headerList, type SipRequest } from '../../../src/telephony/sip/message.js';
import { MAX_HEADER_BYTES, parseDatagram, StreamFramer } from '../../../src/telephony/sip/parser.js';
import { serialize } from '../../../src/telephony/sip/serialize.js';

const INVITE = [
  'INVITE sip:+15551230000@switchboard.test SIP/2.0',
  'Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-a1;rport',
  'Via: SIP/2.0/TCP proxy.test;branch=z9hG4bK-p1, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-p0',
  'Max-Forwards: 70',
  'From: "Alice, A." <sip:alice@a.test>;tag=1928',
  't: <sip:+15551230000@switchboard.test>',
  'i: abc123@10.0.0.1',
  'CSeq: 1 INVITE',
  'Contact: <sip:alice@10.0.0.1:5070>',
  'Subject: first line',
  '  continued here',
  'Supported:',
  'c: application/sdp',
  'l: 4',
  '',
  'v=0\r\nextra',
].join('\r\n');

function req(text: string): SipRequest {
  const r = parseDatagram(Buffer.from(text));
  if (!r.ok) throw new Error(r.error);
  return r.message as SipRequest;
}

describe('parseDatagram', () => {
  it('reads a request with compact forms, folded and empty headers, several Vias, cut to Content-Length', () => {
    const m = req(INVITE);
    expect(m.method).toBe('INVITE');
    expect(m.uri).toBe('sip:+15551230000@switchboard.test');
    expect(header(m, 'call-id')).toBe('abc123@10.0.0.1');
    expect(header(m, 'to')).toBe('<sip:+15551230000@switchboard.test>');
    expect(header(m, 'subject')).toBe('first line continued here');
    expect(header(m, 'supported')).toBe('');
    expect(headerList(m, 'via')).toHaveLength(3);
    expect(m.body.toString()).toBe('v=0\r');
  });

  it('reads a response and its reason phrase', () => {
    const r = parseDatagram(
      Buffer.from(
        'SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 5 INVITE\r\n\r\n',
      ),
    );
    expect(r.ok && r.message.kind === 'response' && r.message.status).toBe(486);
    expect(r.ok && r.message.kind === 'response' && r.message.reason).toBe('Busy Here');
  });

  it('accepts bare LF line ends and leading keep-alive CRLFs', () => {
    const m = req(`\r\n\r\n${INVITE.replace(/\r\n/g, '\n')}`);
    expect(m.method).toBe('INVITE');
    expect(m.body.toString()).toBe('v=0\n');
  });

  const broken: [string, string, number][] = [
    ['Content-Length larger than the body', INVITE.replace('l: 4', 'l: 999'), 400],
    ['non-numeric Content-Length', INVITE.replace('l: 4', 'l: four'), 400],
    ['conflicting Content-Lengths', INVITE.replace('l: 4', 'l: 4\r\nContent-Length: 5'), 400],
    ['a header line without a colon', INVITE.replace('Max-Forwards: 70', 'Max-Forwards 70'), 400],
    ['no Call-ID', INVITE.replace('i: abc123@10.0.0.1\r\n', ''), 400],
    ['a negative CSeq', INVITE.replace('CSeq: 1 INVITE', 'CSeq: -1 INVITE'), 400],
    ['a CSeq method that differs from the request', INVITE.replace('CSeq: 1 INVITE', 'CSeq: 1 BYE'), 400],
    ['an unparseable Via', INVITE.replace('SIP/2.0/UDP 10.0.0.1:5070;', 'SIP/2.0/UDP 10.0.0.1:99999;'), 400],
    ['SIP/7.0', INVITE.replace('test SIP/2.0', 'test SIP/7.0'), 505],
    ['a Max-Forwards that is not a number', INVITE.replace('Max-Forwards: 70', 'Max-Forwards: seventy'), 400],
  ];
  for (const [what, text, status] of broken) {
    it(`answers ${status} to ${what}, keeping the headers it could read`, () => {
      const r = parseDatagram(Buffer.from(text));
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.status).toBe(status);
      expect(r.request?.method).toBe('INVITE');
    });
  }

  it('refuses a huge header section without reading it all', () => {
    const huge = INVITE.replace('Subject: first line', `Subject: ${'x'.repeat(MAX_HEADER_BYTES)}`);
    const r = parseDatagram(Buffer.from(huge));
    expect(r.ok).toBe(false);
  });

  it('round-trips through serialize with a Content-Length that matches the body', () => {
    const m = req(INVITE);
    const again = req(serialize(m).toString());
    expect(again.headers.filter((h) => h.name !== 'content-length')).toEqual(
      m.headers.filter((h) => h.name !== 'content-length'),
    );
    expect(again.body.equals(m.body)).toBe(true);
    expect(serialize(m).toString()).toContain('Call-ID: abc123@10.0.0.1\r\n');
    expect(serialize(m).toString()).toContain('CSeq: 1 INVITE\r\n');
  });

  it('never throws, whatever the bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        parseDatagram(Buffer.from(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on mutated real messages: dropped, duplicated, garbled lines (fuzz)', () => {
    const lines = INVITE.split('\r\n');
    const mutation = fc.array(
      fc.record({
        at: fc.nat(lines.length - 1),
        op: fc.constantFrom('drop', 'dup', 'garble', 'fold', 'huge'),
        text: fc.string({ maxLength: 30 }),
      }),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(mutation, (ops) => {
        const ls = [...lines];
        for (const { at, op, text } of ops) {
          const i = Math.min(at, ls.length - 1);
          if (op === 'drop') ls.splice(i, 1);
          else if (op === 'dup') ls.splice(i, 0, ls[i]);
          else if (op === 'garble') ls[i] = `${ls[i].slice(0, text.length)}${text}`;
          else if (op === 'fold') ls.splice(i, 0, ` ${text}`);
          else ls[i] = `${ls[i]}${text.repeat(500)}`;
        }
        const r = parseDatagram(Buffer.from(ls.join('\r\n')));
        if (r.ok) expect(() => serialize(r.message)).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });
});

describe('StreamFramer (TCP)', () => {
  it('splits back-to-back messages at any chunk boundary', () => {
    const one = serialize(req(INVITE));
    const stream = Buffer.concat([Buffer.from('\r\n\r\n'), one, one]);
    fc.assert(
      fc.property(fc.array(fc.nat(stream.length), { maxLength: 8 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const framer = new StreamFramer();
        const got = [];
        let prev = 0;
        for (const p of [...points, stream.length]) {
          got.push(...framer.push(stream.subarray(prev, p)).messages);
          prev = p;
        }
        expect(got.map((r) => r.ok)).toEqual([true, true]);
      }),
    );
  });

  it('reports an unrecoverable stream (bad Content-Length)', () => {
    const framer = new StreamFramer();
    expect(framer.push(Buffer.from(INVITE.replace('l: 4', 'l: x'))).error).toBe('malformed Content-Length');
  });
});

describe('header values', () => {
  it('Via with rport, received and IPv6', () => {
    expect(parseVia('SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKx;rport')).toEqual({
      transport: 'UDP',
      host: '[2001:db8::1]',
      port: 5060,
      params: { branch: 'z9hG4bKx', rport: null },
    });
  });
  it('name-addr with quoted display name, and the bare form', () => {
    expect(parseNameAddr('"A \\"q\\" <x>" <sip:a@h;lr>;tag=9')).toEqual({
      display: 'A "q" <x>',
      uri: 'sip:a@h;lr',
      params: { tag: '9' },
    });
    expect(parseNameAddr('sip:a@h;tag=9')).toEqual({
      display: undefined,
      uri: 'sip:a@h',
      params: { tag: '9' },
    });
    expect(parseNameAddr('<sip:a@h')).toBeUndefined();
  });
  it('URIs with user, port, params and escapes', () => {
    expect(parseUri('sip:%2B1555@h.test:5080;transport=tcp')).toMatchObject({
      user: '+1555',
      host: 'h.test',
      port: 5080,
      params: { transport: 'tcp' },
    });
    expect(parseUri('http://x')).toBeUndefined();
  });
  it('CSeq', () => {
    expect(parseCSeq('42 BYE')).toEqual({ seq: 42, method: 'BYE' });
    expect(parseCSeq('4294967296 BYE')).toBeUndefined();
  });
});
