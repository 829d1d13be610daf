import { expect } from 'vitest';
import { createTestApp, type TestApp, type TestResponse } from '../../helpers/app.js';

export interface CcaiClient {
  key: string;
  secret: string;
  /** A request with this client's Basic credentials (`auth: null` sends none, a string sends that header). */
  call(method: string, url: string, body?: unknown, auth?: string | null): Promise<TestResponse>;
}

/** A test app whose CCAI limit stays out of the way (the rate-limit test builds its own). */
export function ccaiTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  return createTestApp({ CCAI_RATE_LIMIT_PER_SECOND: '0', ...env });
}

export const basic = (key: string, secret: string) =>
  `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;

/** Makes a CCAI key with the Core API key `coreKey` (the app's own by default) and a client using it. */
export async function ccaiClient(t: TestApp, coreKey?: string): Promise<CcaiClient> {
  const made = await t.api('POST', '/ccai_keys.json', undefined, coreKey ? { key: coreKey } : {});
  expect(made.status, made.text).toBe(201);
  const { key, secret } = made.body.ccai_key;
  return {
    key,
    secret,
    async call(method, url, body, auth) {
      const header = auth === undefined ? basic(key, secret) : auth;
      return t.api(method, url, body, {
        key: null,
        headers: header === null ? {} : { authorization: header },
      });
    },
  };
}

/** A company user (an agent) through the Core API; returns its id. */
export async function agent(t: TestApp, fields: Record<string, unknown>, coreKey?: string): Promise<number> {
  const res = await t.api(
    'POST',
    '/users.json',
    { user: { extension_number: String(100 + Math.floor(Math.random() * 9_000_000)), ...fields } },
    coreKey ? { key: coreKey } : {},
  );
  expect(res.status, res.text).toBe(201);
  return res.body.user.id;
}
