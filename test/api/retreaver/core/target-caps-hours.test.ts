import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

/** Targets: filled caps, reset_cap, business hours, deletion and tenancy. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

let seq = 0;
async function newTarget(attrs: Record<string, unknown> = {}) {
  seq += 1;
  const res = await t.api('POST', '/targets.json', {
    target: { number: `+1866898${String(8000 + seq)}`, ...attrs },
  });
  expect(res.status).toBe(201);
  return res.body.target;
}

const at = (iso: string) => Date.parse(iso);
const filled = (body: any) => Object.fromEntries(body.target.caps.map((c: any) => [c.type, c.filled]));

async function hit(ownerId: number, iso: string, ownerType: 'target' | 'target_group' = 'target') {
  await t.app.store.db
    .insertInto('cap_hits')
    .values({
      company_id: t.companyId,
      owner_type: ownerType,
      owner_id: ownerId,
      call_uuid: null,
      hit_at: at(iso),
    })
    .execute();
}

const hoursInDb = (targetId: number) =>
  t.app.store.db
    .selectFrom('business_hours')
    .selectAll()
    .where('target_id', '=', targetId)
    .orderBy('day_of_week')
    .execute();

describe('Targets: filled caps', () => {
  it('counts cap hits per period in the target time zone', async () => {
    const ny = await newTarget({ time_zone: 'Eastern Time (US & Canada)' });
    const utc = await newTarget();
    // Now: 2025-01-06 03:30Z, which is Sunday 2025-01-05 22:30 in New York (UTC-5).
    t.clock.set(at('2025-01-06T03:30:00Z'));
    const hits = [
      '2025-01-06T03:10:00Z', // NY 22:10 Jan 5: this hour      | UTC 03:10 Jan 6: this hour
      '2025-01-06T02:50:00Z', // NY 21:50 Jan 5: today          | UTC 02:50 Jan 6: today
      '2025-01-05T04:59:00Z', // NY 23:59 Jan 4: this month     | UTC 04:59 Jan 5: this month
      '2025-01-01T04:00:00Z', // NY 23:00 Dec 31: last month    | UTC Jan 1: this month
      '2024-06-01T00:00:00Z', // long ago: hard cap only
      '2025-01-06T03:40:00Z', // in the future: not yet counted
    ];
    for (const iso of hits) {
      await hit(ny.id, iso);
      await hit(utc.id, iso);
    }
    await hit(ny.id, '2025-01-06T03:20:00Z', 'target_group'); // another owner kind with the same id
    const nyNow = await t.api('GET', `/targets/${ny.id}.json`);
    expect(filled(nyNow.body)).toEqual({ Hourly: 1, Daily: 2, Monthly: 3, Hard: 5 });
    expect(filled((await t.api('GET', `/targets/${utc.id}.json`)).body)).toEqual({
      Hourly: 1,
      Daily: 2,
      Monthly: 4,
      Hard: 5,
    });

    // An hour later (NY 23:30 Jan 5) the 03:40Z hit has happened and the hourly cap started again.
    await t.clock.advance(3_600_000);
    expect(filled((await t.api('GET', `/targets/${ny.id}.json`)).body)).toEqual({
      Hourly: 0,
      Daily: 3,
      Monthly: 4,
      Hard: 6,
    });
    // Past New York midnight (05:00Z) the daily cap restarts too.
    t.clock.set(at('2025-01-06T05:00:00Z'));
    expect(filled((await t.api('GET', `/targets/${ny.id}.json`)).body)).toMatchObject({
      Daily: 0,
      Monthly: 4,
    });
  });

  it('lists filled caps for every target of a page', async () => {
    t.clock.set(at('2025-02-10T12:30:00Z'));
    const tg = await newTarget();
    await hit(tg.id, '2025-02-10T12:29:59Z');
    const list = await t.api('GET', '/targets.json');
    const mine = list.body.find((b: any) => b.target.id === tg.id);
    expect(filled(mine)).toEqual({ Hourly: 1, Daily: 1, Monthly: 1, Hard: 1 });
  });

  it('resets the hard cap only, by id and by tid', async () => {
    t.clock.set(at('2025-02-10T12:30:00Z'));
    const tg = await newTarget({ tid: 'reset-me', hard_cap_attributes: { cap: 3 } });
    await hit(tg.id, '2025-02-10T12:29:00Z');
    await hit(tg.id, '2025-02-10T12:29:30Z');
    const res = await t.api('POST', `/targets/${tg.id}/reset_cap.json`, undefined, {
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(filled(res.body)).toEqual({ Hourly: 2, Daily: 2, Monthly: 2, Hard: 0 });
    expect(res.body.target.caps[1]).toMatchObject({ type: 'Hard', cap: 3 });
    await t.clock.advance(1_000);
    await hit(tg.id, new Date(t.clock.now()).toISOString());
    const byTid = await t.api('POST', '/targets/tid/reset-me/reset_cap.json', {});
    expect(byTid.status).toBe(200);
    expect(filled((await t.api('GET', `/targets/${tg.id}.json`)).body)).toMatchObject({ Hard: 0, Hourly: 3 });
    await t.clock.advance(1_000);
    await hit(tg.id, new Date(t.clock.now()).toISOString());
    expect(filled((await t.api('GET', `/targets/${tg.id}.json`)).body)).toMatchObject({ Hard: 1, Hourly: 4 });
  });
});

describe('Targets: business hours', () => {
  it('updates a row by id, replaces a day without id, accepts `inverted`, and destroys', async () => {
    const tg = await newTarget();
    const [sun, mon] = tg.business_hours;
    await t.clock.advance(1_000);
    const res = await t.api('PUT', `/targets/${tg.id}.json`, {
      target: {
        business_hours_attributes: [
          { id: sun.id, day_of_week: 0, work_day: false },
          { day_of_week: 1, time_open: 800, time_close: 1200, inverted: true },
          { day_of_week: 2, _destroy: true },
          { day_of_week: 3, time_open: 2200, time_close: 600 },
        ],
      },
    });
    expect(res.status).toBe(200);
    const hours = res.body.target.business_hours;
    expect(hours.map((h: any) => h.day_of_week)).toEqual([0, 1, 3, 4, 5, 6]);
    expect(hours[0]).toMatchObject({
      id: sun.id,
      work_day: false,
      time_open: 0,
      time_close: 2400,
      created_at: sun.created_at,
    });
    expect(hours[0].updated_at).not.toBe(sun.updated_at);
    expect(hours[1]).toMatchObject({ work_day: true, time_open: 800, time_close: 1200, invert: true });
    expect(hours[1].id).not.toBe(mon.id);
    expect(hours[2]).toMatchObject({ time_open: 2200, time_close: 600, invert: false });
    expect(await hoursInDb(tg.id)).toHaveLength(6);
  });

  it('takes business hours on create', async () => {
    const tg = await newTarget({
      business_hours_attributes: [{ day_of_week: 6, work_day: false, invert: true }],
    });
    expect(tg.business_hours[6]).toMatchObject({
      day_of_week: 6,
      work_day: false,
      invert: true,
      time_close: 2400,
    });
  });

  it('refuses bad business hours and writes nothing', async () => {
    const tg = await newTarget({ name: 'hours' });
    const other = await newTarget();
    const before = await hoursInDb(tg.id);
    const cases: [unknown[], string][] = [
      [[{ day_of_week: 1, time_open: 960 }], 'time_open'],
      [[{ day_of_week: 1, time_close: 2401 }], 'time_close'],
      [[{ day_of_week: 1, time_open: -100 }], 'time_open'],
      [[{ day_of_week: 7 }], 'day_of_week'],
      [[{ work_day: false }], 'day_of_week'],
      [[{ day_of_week: 2 }, { day_of_week: 2, work_day: false }], 'day_of_week'],
      [[{ id: other.business_hours[1].id, day_of_week: 1, work_day: false }], 'id'],
      [[{ id: tg.business_hours[1].id, day_of_week: 2 }], 'day_of_week'],
      [[{ day_of_week: 1, invert: true, inverted: false }], 'inverted'],
      [[{ day_of_week: 1, opens: 900 }], 'opens'],
      [[{ day_of_week: 'monday' }], 'day_of_week'],
    ];
    for (const [attrs, field] of cases) {
      const res = await t.api('PUT', `/targets/${tg.id}.json`, {
        target: {
          name: 'changed',
          business_hours_attributes: [{ day_of_week: 5, work_day: false }, ...attrs],
        },
      });
      expect(res.status, JSON.stringify(attrs)).toBe(400);
      expect(Object.keys(res.body.errors).join(), JSON.stringify(attrs)).toContain(field);
    }
    expect(await hoursInDb(tg.id)).toEqual(before);
    expect((await t.api('GET', `/targets/${tg.id}.json`)).body.target.name).toBe('hours');
  });
});

describe('Targets: deletion and tenancy', () => {
  it('deletes (answering the target as it was), then answers 410 by id and tid', async () => {
    const tg = await newTarget({ tid: 'bye' });
    const del = await t.api('DELETE', '/targets/tid/bye.json');
    expect(del.status).toBe(200);
    expect(del.body.target).toMatchObject({ id: tg.id, tid: 'bye' });
    for (const [method, url] of [
      ['GET', `/targets/${tg.id}.json`],
      ['GET', '/targets/tid/bye.json'],
      ['PUT', `/targets/${tg.id}.json`],
      ['DELETE', `/targets/${tg.id}.json`],
      ['POST', `/targets/${tg.id}/reset_cap.json`],
    ]) {
      const res = await t.api(method, url, method === 'PUT' ? { target: { name: 'x' } } : undefined);
      expect(res.status, `${method} ${url}`).toBe(410);
      expect(res.body.error).toBe('Gone');
    }
    const list = await t.api('GET', '/targets.json');
    expect(list.body.map((b: any) => b.target.id)).not.toContain(tg.id);
  });

  it('takes a deleted target out of its groups', async () => {
    const [a, b] = [await newTarget(), await newTarget()];
    const group = await t.api('POST', '/target_groups.json', {
      target_group: { name: 'g', target_ids: [a.id, b.id] },
    });
    await t.api('DELETE', `/targets/${a.id}.json`);
    const after = await t.api('GET', `/target_groups/${group.body.target_group.id}.json`);
    expect(after.body.target_group.target_ids).toEqual([b.id]);
  });

  it("answers 404 for another company's target and leaves it alone", async () => {
    const other = await t.addTenant();
    const theirs = await t.api(
      'POST',
      '/targets.json',
      { target: { number: '+18668989999', tid: 'theirs' } },
      { key: other.key },
    );
    const id = theirs.body.target.id;
    for (const [method, url] of [
      ['GET', `/targets/${id}.json`],
      ['GET', '/targets/tid/theirs.json'],
      ['PUT', `/targets/${id}.json`],
      ['DELETE', `/targets/${id}.json`],
      ['POST', `/targets/${id}/reset_cap.json`],
      ['GET', '/targets/987654.json'],
    ]) {
      const res = await t.api(method, url, method === 'PUT' ? { target: { name: 'mine now' } } : undefined);
      expect(res.status, `${method} ${url}`).toBe(404);
    }
    const still = await t.api('GET', `/targets/${id}.json`, undefined, { key: other.key });
    expect(still.body.target).toMatchObject({ name: null, tid: 'theirs' });
  });
});
