import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otherCompanies, seedCalls } from '../../../../bench/lib/seed-calls.js';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

/** The call log's totals come from a kept counter and deep pages from a deferred join: same answers. */
describe('GET /calls.json: totals and deep pages', () => {
  let t: TestApp;
  let other: number;
  const count = async (companyId: number) =>
    Number(
      (
        await sql<{ n: number }>`select count(*) as n from calls where company_id = ${companyId}`.execute(
          t.app.store.db,
        )
      ).rows[0].n,
    );

  beforeAll(async () => {
    t = await createTestApp();
    [other] = await otherCompanies(t.app.store.db, 1);
    await seedCalls(t.app.store.db, t.app.store.dialect === 'postgres', 3000, [t.companyId, other]);
  }, 60_000);
  afterAll(() => t.close());

  it('counts only the company’s calls, unfiltered and filtered', async () => {
    const all = await t.api('GET', '/calls.json');
    expect(all.status).toBe(200);
    const mine = await count(t.companyId);
    expect(mine).toBeGreaterThan(1000);
    expect(mine).toBeLessThan(3000);
    expect(Number(all.headers['x-total-count'])).toBe(mine);
    const filtered = await t.api('GET', '/calls.json?client_cid=c7');
    const n = await sql<{
      n: number;
    }>`select count(*) as n from calls where company_id = ${t.companyId} and cid = 'c7'`.execute(
      t.app.store.db,
    );
    expect(Number(filtered.headers['x-total-count'])).toBe(Number(n.rows[0].n));
  });

  it('keeps the total right as calls are written', async () => {
    const before = Number((await t.api('GET', '/calls.json')).headers['x-total-count']);
    const row = await t.app.store.db
      .selectFrom('calls')
      .selectAll()
      .where('company_id', '=', t.companyId)
      .executeTakeFirstOrThrow();
    const { id: _, ...copy } = row;
    await t.app.store.db
      .insertInto('calls')
      .values({ ...copy, uuid: '11111111-1111-4111-8111-111111111111' })
      .execute();
    const after = Number((await t.api('GET', '/calls.json')).headers['x-total-count']);
    expect(after).toBe(before + 1);
    expect(after).toBe(await count(t.companyId));
    await t.app.store.db
      .deleteFrom('calls')
      .where('uuid', '=', '11111111-1111-4111-8111-111111111111')
      .execute();
    expect(Number((await t.api('GET', '/calls.json')).headers['x-total-count'])).toBe(before);
  });

  it('answers a deep page with the rows an offset would, in order, both directions', async () => {
    for (const order of ['desc', 'asc'] as const) {
      const res = await t.api('GET', `/calls.json?page=30&order=${order}`);
      expect(res.status).toBe(200);
      const expected = await t.app.store.db
        .selectFrom('calls')
        .select('uuid')
        .where('company_id', '=', t.companyId)
        .orderBy('created_at', order)
        .orderBy('id', order)
        .limit(25)
        .offset(29 * 25)
        .execute();
      expect(res.body.map((c: { call: { uuid: string } }) => c.call.uuid)).toEqual(
        expected.map((r) => r.uuid),
      );
    }
    const last = await t.api('GET', '/calls.json?page=1000');
    expect(last.status).toBe(200);
    expect(last.body).toEqual([]);
  });
});
