import { afterAll, beforeAll, expect, it } from 'vitest';
import { isUniqueViolation, uniqueViolationField } from '../../src/store/unique.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const failure = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the statement to fail');
};

const affiliate = (afid: string | null) =>
  t.app.store.db
    .insertInto('affiliates')
    .values({
      company_id: t.companyId,
      afid: afid as string,
      first_name: null,
      last_name: null,
      company_name: null,
      created_at: 0,
      updated_at: 0,
    })
    .execute();

it('matches a unique violation on this database and names the column', async () => {
  await affiliate('u1');
  const err = await failure(() => affiliate('u1'));
  expect(isUniqueViolation(err)).toBe(true);
  expect(uniqueViolationField(err)).toBe('afid');
});

it('does not match NOT NULL or foreign-key failures', async () => {
  expect(isUniqueViolation(await failure(() => affiliate(null)))).toBe(false);
  const fk = await failure(() =>
    t.app.store.db.insertInto('memberships').values({ user_id: 999_999, company_id: 999_999 }).execute(),
  ).catch(() => undefined);
  if (fk) expect(isUniqueViolation(fk)).toBe(false);
  expect(isUniqueViolation(new Error('UNIQUE constraint failed'))).toBe(false);
  expect(isUniqueViolation(null)).toBe(false);
});
