import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

/**
 * 200 clients create the same unique value at once (check-then-insert races, which only a database with
 * real parallel connections like PostgreSQL shows): one 201, every other answer the pre-check's 400, and
 * never a 5xx. issue 10's table covers tid, cid and afid (test/api/hostile-input.test.ts); these are the
 * numbers.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const race = (method: string, url: string, body: unknown) =>
  Promise.all(Array.from({ length: 200 }, () => t.api(method, url, body)));

function expectOneWinner(answers: { status: number; text: string }[], expected = [201, 400]) {
  const statuses = answers.map((a) => a.status);
  expect(
    statuses.filter((s) => !expected.includes(s)),
    answers.find((a) => a.status >= 500)?.text,
  ).toEqual([]);
  expect(statuses.filter((s) => s === expected[0])).toHaveLength(1);
}

it('static caller numbers: the same number 200 times at once', async () => {
  const answers = await race('POST', '/static_caller_numbers.json', {
    static_caller_number: { number: '+14155550142' },
  });
  expectOneWinner(answers);
  for (const a of answers.filter((x) => x.status === 400))
    expect(JSON.parse(a.text).errors).toEqual({ number: ['has already been taken'] });
}, 60_000);

it('contacts: the same contact number 200 times at once', async () => {
  const answers = await race('POST', '/contacts.json', {
    contact: { contact_numbers_attributes: [{ number: '+18005550142' }] },
  });
  expectOneWinner(answers);
}, 60_000);

it('api keys: 200 at once are 200 distinct keys', async () => {
  const answers = await race('POST', '/api_keys.json', { api_key: { name: 'burst' } });
  expect(answers.map((a) => a.status).filter((s) => s !== 201)).toEqual([]);
  expect(new Set(answers.map((a) => JSON.parse(a.text).api_key.key)).size).toBe(200);
}, 60_000);

it('users: the same email 200 times at once', async () => {
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      t.api('POST', '/users.json', {
        user: { email: 'Same@Example.com', extension_number: String(1000 + i) },
      }),
    ),
  );
  expectOneWinner(answers);
  for (const a of answers.filter((x) => x.status === 400))
    expect(Object.keys(JSON.parse(a.text).errors)).toEqual(['email']);
}, 60_000);
