import { randomBytes } from 'node:crypto';
import type { ObservedAnswer } from '../../src/api/observe.js';
import { type App, buildApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { dropSchema } from '../../src/store/db.js';
import { answerProblems, prepareContract } from './openapi.js';

export interface TestApp {
  app: App;
  clock: ManualClock;
  key: string;
  companyId: number;
  /** JSON request against the Core API with this app's key (`key: null` to send none). */
  api(method: string, url: string, body?: unknown, opts?: RequestOpts): Promise<TestResponse>;
  /** A second, unrelated tenant: its own company and key. */
  addTenant(): Promise<{ key: string; companyId: number }>;
  close(): Promise<void>;
}

export interface RequestOpts {
  key?: string | null;
  companyId?: number | null;
  headers?: Record<string, string>;
  rawBody?: string | Buffer;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any;
  text: string;
}

/** A whole app on a fresh database: SQLite in memory, or its own PostgreSQL schema when DATABASE_URL is set. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const databaseUrl = process.env.DATABASE_URL;
  const schema = databaseUrl ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const key = `test-key-${randomBytes(8).toString('hex')}`;
  const config = loadConfig({
    DATA_DIR: '/nonexistent',
    SWITCHBOARD_API_KEY: key,
    RATE_LIMIT_PER_MINUTE: '100000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema } : {}),
    ...env,
  });
  const clock = new ManualClock();
  // Every answer the app gives while a test runs — through `api`, real HTTP, an SDK or the sim harness —
  // is checked against /openapi.json unless OPENAPI_CHECK=0 (see test/helpers/openapi.ts).
  const problems: string[] = [];
  let built: App | undefined;
  const observeAnswers =
    process.env.OPENAPI_CHECK === '0'
      ? undefined
      : (a: ObservedAnswer) => {
          if (built) problems.push(...answerProblems(built.http, a));
        };
  const app = await buildApp({
    config,
    clock,
    logger: false,
    sqliteFileOverride: ':memory:',
    observeAnswers,
  });
  built = app;
  // Built here rather than at the first answer, so its cost falls in the set-up hook, not in a test.
  if (observeAnswers) prepareContract(app.http);
  const assertContract = () => {
    if (problems.length === 0) return;
    const found = problems.splice(0);
    throw new Error(`answer does not match /openapi.json:\n${found.join('\n')}`);
  };
  const company = await app.store.db
    .selectFrom('companies')
    .select('id')
    .orderBy('id')
    .executeTakeFirstOrThrow();

  const api: TestApp['api'] = async (method, url, body, opts = {}) => {
    const k = opts.key === undefined ? key : opts.key;
    const u = new URL(url, 'http://switchboard.test');
    if (k !== null) u.searchParams.set('api_key', k);
    if (opts.companyId !== undefined && opts.companyId !== null)
      u.searchParams.set('company_id', String(opts.companyId));
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    let payload: string | Buffer | undefined = opts.rawBody;
    if (payload === undefined && body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.http.inject({
      method: method as any,
      url: u.pathname + u.search,
      headers,
      payload,
    });
    assertContract();
    let parsed: any = res.body;
    if (String(res.headers['content-type'] ?? '').includes('json') && res.body) parsed = JSON.parse(res.body);
    return { status: res.statusCode, headers: res.headers, body: parsed, text: res.body };
  };

  return {
    app,
    clock,
    key,
    companyId: company.id,
    api,
    async addTenant() {
      const now = clock.now();
      const c = await app.store.db
        .insertInto('companies')
        .values({
          name: 'Other Co',
          default_click_url: null,
          default_sale_url: null,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const { apiKey } = await app.services.accounts.createUser('other', [c.id]);
      return { key: apiKey, companyId: c.id };
    },
    async close() {
      try {
        await app.close();
      } finally {
        if (databaseUrl && schema) await dropSchema(databaseUrl, schema);
      }
      assertContract();
    },
  };
}
