import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import {
  header,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../../src/telephony/sip/message.js';
import {
  responseTo,
  type ServerTransaction,
  TransactionLayer,
} from '../../../src/telephony/sip/transaction.js';
import type { Peer } from '../../../src/telephony/sip/transport.js';

const UDP: Peer = { protocol: 'UDP', host: '127.0.0.1', port: 5070 };
const TCP: Peer = { ...UDP, protocol: 'TCP' };

function request(method: string, branch = 'z9hG4bK-1', cseq = 1): SipRequest {
  return {
    kind: 'request',
    method,
    uri: 'sip:b@127.0.0.1',
    headers: [
      { name: 'via', value: `SIP/2.0/UDP 127.0.0.1:5070;branch=${branch};rport` },
      { name: 'from', value: '<sip:a@h>;tag=a1' },
      { name: 'to', value: '<sip:b@h>' },
      { name: 'call-id', value: 'c1' },
      { name: 'cseq', value: `${cseq} ${method === 'ACK' || method === 'CANCEL' ? method : method}` },
      { name: 'max-forwards', value: '70' },
    ],
    body: Buffer.alloc(0),
  };
}

function setup() {
  const clock = new ManualClock(0);
  const sent: { msg: SipMessage; at: number }[] = [];
  const requests: { req: SipRequest; tx: ServerTransaction | undefined }[] = [];
  const stray: SipResponse[] = [];
  const layer = new TransactionLayer(
    clock,
    { send: (msg) => sent.push({ msg, at: clock.now() }) },
    { request: (req, tx) => requests.push({ req, tx }), strayResponse: (res) => stray.push(res) },
  );
  return { clock, sent, requests, stray, layer };
}

function client(method: string, peer: Peer = UDP) {
  const s = setup();
  const got: SipResponse[] = [];
  let timedOut = 0;
  const tx = s.layer.request(request(method), peer, {
    response: (r) => got.push(r),
    timeout: () => timedOut++,
  });
  return { ...s, got, tx, timedOut: () => timedOut };
}

const times = (sent: { msg: SipMessage; at: number }[], method: string) =>
  sent.filter((s) => s.msg.kind === 'request' && s.msg.method === method).map((s) => s.at);

describe('INVITE client transaction', () => {
  it('retransmits on Timer A (doubling) and gives up on Timer B at 64·T1', async () => {
    const t = client('INVITE');
    await t.clock.advance(40_000);
    expect(times(t.sent, 'INVITE')).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(t.timedOut()).toBe(1);
    expect(t.layer.size.clients).toBe(0);
  });

  it('does not retransmit over TCP', async () => {
    const t = client('INVITE', TCP);
    await t.clock.advance(40_000);
    expect(times(t.sent, 'INVITE')).toEqual([0]);
    expect(t.timedOut()).toBe(1);
  });

  it('stops on a provisional, ACKs a 486 (and its retransmission) on the same branch, reports it once', async () => {
    const t = client('INVITE');
    t.layer.receive(responseTo(request('INVITE'), 180, 'b1'), UDP);
    await t.clock.advance(10_000);
    expect(times(t.sent, 'INVITE')).toEqual([0]);
    const busy = responseTo(request('INVITE'), 486, 'b1');
    t.layer.receive(busy, UDP);
    t.layer.receive(busy, UDP);
    const acks = t.sent.filter((s) => s.msg.kind === 'request' && s.msg.method === 'ACK').map((s) => s.msg);
    expect(acks).toHaveLength(2);
    expect(header(acks[0], 'via')).toContain('branch=z9hG4bK-1');
    expect(header(acks[0], 'to')).toContain('tag=b1');
    expect(header(acks[0], 'cseq')).toBe('1 ACK');
    expect(t.got.map((r) => r.status)).toEqual([180, 486]);
    expect(t.timedOut()).toBe(0);
  });

  it('hands every 2xx copy to the TU and ignores a provisional that arrives after it', () => {
    const t = client('INVITE');
    const ok = responseTo(request('INVITE'), 200, 'b1');
    t.layer.receive(ok, UDP);
    t.layer.receive(responseTo(request('INVITE'), 180, 'b1'), UDP);
    t.layer.receive(ok, UDP);
    expect(t.got.map((r) => r.status)).toEqual([200, 200]);
  });

  it('passes a 2xx that no transaction claims to the TU as stray', async () => {
    const t = client('INVITE');
    t.layer.receive(responseTo(request('INVITE'), 200, 'b1'), UDP);
    await t.clock.advance(40_000);
    t.layer.receive(responseTo(request('INVITE'), 200, 'b1'), UDP);
    expect(t.stray).toHaveLength(1);
  });
});

describe('non-INVITE client transaction', () => {
  it('retransmits on Timer E capped at T2, keeps going while proceeding, times out on F', async () => {
    const t = client('BYE');
    await t.clock.advance(40_000);
    expect(times(t.sent, 'BYE')).toEqual([
      0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500,
    ]);
    expect(t.timedOut()).toBe(1);
  });

  it('completes on a final response and ignores its retransmission (Timer K)', async () => {
    const t = client('OPTIONS');
    const ok = responseTo(request('OPTIONS'), 200, 'x');
    t.layer.receive(ok, UDP);
    t.layer.receive(ok, UDP);
    expect(t.got).toHaveLength(1);
    await t.clock.advance(6000);
    expect(t.layer.size.clients).toBe(0);
    expect(times(t.sent, 'OPTIONS')).toEqual([0]);
  });
});

describe('INVITE server transaction', () => {
  it('sends 100 at once, repeats the last response to a retransmitted INVITE', () => {
    const s = setup();
    s.layer.receive(request('INVITE'), UDP);
    expect(s.requests).toHaveLength(1);
    s.requests[0].tx!.respond(responseTo(request('INVITE'), 180, 't'));
    s.layer.receive(request('INVITE'), UDP);
    expect(s.requests).toHaveLength(1);
    expect(s.sent.map((x) => (x.msg as SipResponse).status)).toEqual([100, 180, 180]);
  });

  it('retransmits a failure on Timer G until the ACK, then absorbs (Timer I)', async () => {
    const s = setup();
    s.layer.receive(request('INVITE'), UDP);
    s.requests[0].tx!.respond(responseTo(request('INVITE'), 486, 't'));
    await s.clock.advance(1600);
    s.layer.receive(request('ACK'), UDP);
    await s.clock.advance(10_000);
    expect(s.sent.filter((x) => (x.msg as SipResponse).status === 486).map((x) => x.at)).toEqual([
      0, 500, 1500,
    ]);
    expect(s.requests).toHaveLength(1);
    expect(s.layer.size.servers).toBe(0);
  });

  it('gives up on Timer H when no ACK comes', async () => {
    const s = setup();
    s.layer.receive(request('INVITE'), UDP);
    s.requests[0].tx!.respond(responseTo(request('INVITE'), 486, 't'));
    await s.clock.advance(33_000);
    expect(s.layer.size.servers).toBe(0);
  });

  it('hands an ACK for a 2xx (its own transaction) to the TU, and finds the INVITE a CANCEL names', () => {
    const s = setup();
    s.layer.receive(request('INVITE'), UDP);
    expect(s.layer.inviteFor(request('CANCEL'))).toBe(s.requests[0].tx);
    s.requests[0].tx!.respond(responseTo(request('INVITE'), 200, 't'));
    s.layer.receive(request('ACK', 'z9hG4bK-2'), UDP);
    expect(s.requests.map((r) => [r.req.method, r.tx === undefined])).toEqual([
      ['INVITE', false],
      ['ACK', true],
    ]);
  });
});

describe('non-INVITE server transaction', () => {
  it('answers a retransmission with the same final response, until Timer J', async () => {
    const s = setup();
    s.layer.receive(request('BYE'), UDP);
    s.requests[0].tx!.respond(responseTo(request('BYE'), 200));
    s.layer.receive(request('BYE'), UDP);
    expect(s.sent).toHaveLength(2);
    await s.clock.advance(33_000);
    s.layer.receive(request('BYE'), UDP);
    expect(s.requests).toHaveLength(2);
  });
});

describe('responseTo', () => {
  it('copies the transaction headers and tags To once', () => {
    const r = responseTo({ ...request('INVITE') }, 180, 'xyz');
    expect(header(r, 'to')).toBe('<sip:b@h>;tag=xyz');
    expect(header(r, 'max-forwards')).toBeUndefined();
  });
});
