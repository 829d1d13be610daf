import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countQueries } from '../../../../bench/lib/count-queries.js';
import { hashApiKey } from '../../../../src/services/accounts.js';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

/**
 * Authentication is cached per key and checked against the accounts version (migration 0072) on every
 * request: one index probe instead of the key and membership lookups, and any change — through the API
 * or straight in the database, as another node would write it — counts from the next request on.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const get = (key: string, companyId?: number) =>
  t.api('GET', '/targets.json', undefined, { key, ...(companyId ? { companyId } : {}) });

describe('authentication cache', () => {
  it('a known key costs one statement (the version) before the handler runs', async () => {
    expect((await get(t.key)).status).toBe(200);
    const counter = countQueries(t.app.store.db);
    try {
      await t.app.services.accounts.authenticate(t.key);
      expect(counter.total()).toBe(1);
      expect([...counter.bySql.keys()][0]).toContain('config_changes');
    } finally {
      counter.stop();
    }
  });

  it("a user's key changed in the database is refused at once, and the new one works", async () => {
    const other = await t.addTenant();
    expect((await get(other.key)).status).toBe(200);
    await t.app.store.db
      .updateTable('users')
      .set({ api_key_hash: hashApiKey('rotated-key') })
      .where('api_key_hash', '=', hashApiKey(other.key))
      .execute();
    expect((await get(other.key)).status).toBe(401);
    expect((await get('rotated-key')).status).toBe(200);
  });

  it('a membership removed, or a company deleted, in the database reaches the next request', async () => {
    const other = await t.addTenant();
    expect((await get(other.key, other.companyId)).status).toBe(200);
    await t.app.store.db.deleteFrom('memberships').where('company_id', '=', other.companyId).execute();
    expect((await get(other.key, other.companyId)).status).toBe(403);

    const third = await t.addTenant();
    expect((await get(third.key, third.companyId)).status).toBe(200);
    await t.app.store.db
      .updateTable('companies')
      .set({ deleted_at: t.clock.now() })
      .where('id', '=', third.companyId)
      .execute();
    expect((await get(third.key, third.companyId)).status).toBe(403);
  });

  it('a made key revoked or demoted in the database counts at once', async () => {
    const made = await t.api('POST', '/api_keys.json', { api_key: { name: 'cached', role: 'admin' } });
    expect(made.status).toBe(201);
    const { key, id } = made.body.api_key as { key: string; id: number };
    const post = () => t.api('POST', '/affiliates.json', { affiliate: { afid: `x${id}` } }, { key });
    expect((await get(key)).status).toBe(200);
    await t.app.store.db.updateTable('api_keys').set({ role: 'read_only' }).where('id', '=', id).execute();
    expect((await post()).status).toBe(403);
    await t.app.store.db
      .updateTable('api_keys')
      .set({ revoked_at: t.clock.now() })
      .where('id', '=', id)
      .execute();
    expect((await get(key)).status).toBe(401);
  });

  it('a cached made key still notes its use (last_used_at, once a minute)', async () => {
    const made = await t.api('POST', '/api_keys.json', { api_key: { name: 'used', role: 'read_only' } });
    const { key, id } = made.body.api_key as { key: string; id: number };
    expect((await get(key)).status).toBe(200);
    await t.clock.advance(61_000);
    expect((await get(key)).status).toBe(200);
    const row = await t.app.store.db
      .selectFrom('api_keys')
      .select('last_used_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.last_used_at).toBe(t.clock.now());
  });
});
