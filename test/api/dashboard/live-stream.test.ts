import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simOf, trackedNumber } from '../../e2e/harness.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
let base: string;
const streams: AbortController[] = [];
beforeEach(async () => {
  t = await createTestApp();
  base = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
});
afterEach(async () => {
  for (const s of streams.splice(0)) s.abort();
  await t.close();
});

interface Message {
  event: string;
  data: any;
}

/** Opens the stream and collects its messages; `next(pred)` waits for the first matching one. */
async function open(headers: Record<string, string>, query = '') {
  const ctl = new AbortController();
  streams.push(ctl);
  const res = await fetch(`${base}/live/events${query}`, { headers, signal: ctl.signal });
  const messages: Message[] = [];
  const waiters: { pred: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  if (res.ok && res.body) {
    void (async () => {
      let buf = '';
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let end = buf.indexOf('\n\n');
          while (end !== -1) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            end = buf.indexOf('\n\n');
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (!event || data === undefined) continue;
            const m = { event, data: JSON.parse(data) };
            messages.push(m);
            for (const w of waiters.splice(0)) {
              if (w.pred(m)) w.resolve(m);
              else waiters.push(w);
            }
          }
        }
      } catch {
        // aborted at the end of the test
      }
    })();
  }
  const next = (pred: (m: Message) => boolean) =>
    new Promise<Message>((resolve) => {
      const seen = messages.find(pred);
      if (seen) resolve(seen);
      else waiters.push({ pred, resolve });
    });
  return { res, messages, next };
}

describe('GET /live/events (the dashboard Live board stream)', () => {
  it('refuses a request without a key in a header, and a key in the URL', async () => {
    const none = await fetch(`${base}/live/events`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ status: 401 });
    const inUrl = await fetch(`${base}/live/events?api_key=${t.key}`);
    expect(inUrl.status).toBe(401);
  });

  it('refuses a company the key does not reach', async () => {
    const other = await t.addTenant();
    const res = await fetch(`${base}/live/events?company_id=${other.companyId}`, {
      headers: { authorization: `Bearer ${t.key}` },
    });
    expect(res.status).toBe(403);
  });

  it('opens with a snapshot, then streams a call of its company as it starts, changes and ends', async () => {
    const sim = simOf(t);
    const { number, campaign } = await trackedNumber(t, {
      name: 'Solar leads',
      menu_options_attributes: [{ option: '1', target_number: '+14155550100' }],
    });
    await sim.endpoint('+14155550100', { answer_after_s: 3 });
    const stream = await open({ 'x-api-key': t.key });
    expect(stream.res.headers.get('content-type')).toContain('text/event-stream');
    const snapshot = await stream.next((m) => m.event === 'snapshot');
    expect(snapshot.data).toMatchObject({ calls: [], today: { calls: 0, connected: 0 }, now: t.clock.now() });

    const call = await sim.call('+13015550123', number);
    const started = await stream.next((m) => m.event === 'call');
    expect(started.data).toMatchObject({
      uuid: call.call_uuid,
      caller: '+13015550123',
      number,
      cid: campaign.cid,
      campaign_name: 'Solar leads',
      afid: 'pub1',
      status: 'in-progress',
    });
    const ringing = await stream.next(
      (m) => m.event === 'event' && m.data.type === 'leg.updated' && m.data.direction === 'outbound',
    );
    expect(ringing.data).toMatchObject({ callUuid: call.call_uuid, to: '+14155550100' });
    expect(ringing.data.companyId).toBeUndefined();

    // A second stream opened mid-call sees the call in its snapshot, with its legs.
    const late = await open({ authorization: `Bearer ${t.key}` });
    const lateSnapshot = await late.next((m) => m.event === 'snapshot');
    expect(lateSnapshot.data.calls).toHaveLength(1);
    expect(lateSnapshot.data.calls[0].legs.map((l: any) => l.direction)).toEqual(['inbound', 'outbound']);
    expect(lateSnapshot.data.today.calls).toBe(1);

    await sim.advance(3);
    await sim.hangup(call.id);
    const ended = await stream.next((m) => m.event === 'event' && m.data.type === 'call.ended');
    expect(ended.data).toMatchObject({ callUuid: call.call_uuid, hungUpBy: 'caller' });
  });

  it("never shows another company's calls", async () => {
    const other = await t.addTenant();
    const stream = await open({ authorization: `Bearer ${other.key}` });
    await stream.next((m) => m.event === 'snapshot');
    const mine = await open({ authorization: `Bearer ${t.key}` });
    await mine.next((m) => m.event === 'snapshot');
    const { number } = await trackedNumber(t, {});
    await simOf(t).call('+13015550123', number);
    // Our own stream saw the call end (no route: it ends at once); the other tenant's saw nothing.
    await mine.next((m) => m.event === 'event' && m.data.type === 'call.ended');
    expect(stream.messages.map((m) => m.event)).toEqual(['snapshot']);
  });
});
