import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countQueries } from '../../../bench/lib/count-queries.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { CALLER, ping, rtbSetup } from './rtb-setup.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const callers = (() => {
  let n = 100;
  return () => `+1301555${String(n++).padStart(4, '0')}`;
})();

/**
 * The RTB caches (keys, publishers, pools, routing lists) are dropped when the configuration changes,
 * not on a timer: the next ping sees any change, whoever wrote it (docs: src/services/rtb-config.ts).
 */
describe('RTB caches follow changes at once', () => {
  it('a buyer paused through the API takes no reservation on the very next ping', async () => {
    const s = await rtbSetup(t, { targets: [{}] });
    const first = await ping(t, { key: s.key, publisher_id: s.afid, caller_number: callers() });
    expect(first.body.status).toBe('reserved');
    const put = await t.api('PUT', `/targets/${s.targets[0].id}.json`, { target: { paused: true } });
    expect(put.status, put.text).toBe(200);
    const next = await ping(t, { key: s.key, publisher_id: s.afid, caller_number: callers() });
    expect(next.body.status).toBe('no-target');
  });

  it('a change written by another process (straight to the database) reaches the next ping', async () => {
    const s = await rtbSetup(t, { targets: [{}] });
    expect((await ping(t, { key: s.key, publisher_id: s.afid, caller_number: callers() })).body.status).toBe(
      'reserved',
    );
    await t.app.store.db
      .updateTable('targets')
      .set({ paused: 1 })
      .where('id', '=', s.targets[0].id)
      .execute();
    expect((await ping(t, { key: s.key, publisher_id: s.afid, caller_number: callers() })).body.status).toBe(
      'no-target',
    );
    // A key revoked elsewhere: refused at once.
    await t.app.store.db.updateTable('postback_keys').set({ revoked_at: t.clock.now() }).execute();
    expect((await ping(t, { key: s.key, publisher_id: s.afid, caller_number: callers() })).status).toBe(401);
  });

  it('a required tag added to the key is asked for on the next ping (a refusal is checked against the version)', async () => {
    const s = await rtbSetup(t, { targets: [{}] });
    expect((await ping(t, { key: s.key, publisher_id: s.afid, caller_number: callers() })).body.status).toBe(
      'reserved',
    );
    await t.app.store.db
      .updateTable('postback_keys')
      .set({ required_tags: JSON.stringify(['age']) })
      .execute();
    const refused = await ping(t, { key: s.key, publisher_id: s.afid, caller_number: callers() });
    expect(refused.status).toBe(400);
    await t.app.store.db.updateTable('postback_keys').set({ required_tags: '[]' }).execute();
    // Cached as requiring `age`; the refusal re-reads the version, sees the change and pings again.
    const ok = await ping(t, { key: s.key, publisher_id: s.afid, caller_number: callers() });
    expect(ok.body.status).toBe('reserved');
  });

  it('a cap filled by a connected call (a cap hit) is counted on the next ping', async () => {
    const s = await rtbSetup(t, { targets: [{ daily_cap_attributes: { cap: 1 } }] });
    expect((await ping(t, { key: s.key, publisher_id: s.afid, caller_number: callers() })).body.status).toBe(
      'reserved',
    );
    await t.app.store.db
      .insertInto('cap_hits')
      .values({
        company_id: t.companyId,
        owner_type: 'target',
        owner_id: s.targets[0].id,
        call_uuid: null,
        hit_at: t.clock.now(),
      })
      .execute();
    expect((await ping(t, { key: s.key, publisher_id: s.afid, caller_number: callers() })).body.status).toBe(
      'no-target',
    );
  });

  it('a ping answered from the caches runs two statements: one read, the reservation INSERT', async () => {
    const s = await rtbSetup(t, { targets: [{}], pool: { max_pool_size: 5 } });
    // The pool grows to its size on the first pings; then it has free numbers.
    for (let i = 0; i < 5; i++) await ping(t, { key: s.key, publisher_id: s.afid, caller_number: callers() });
    await t.app.store.db.updateTable('reservations').set({ status: 'expired', lock_key: null }).execute();
    const counter = countQueries(t.app.store.db);
    try {
      const res = await ping(t, { key: s.key, publisher_id: s.afid, caller_number: CALLER });
      expect(res.body.status).toBe('reserved');
      expect([...counter.bySql.keys()].map((q) => q.trim().split(/\s+/)[0].toUpperCase())).toEqual([
        'SELECT',
        'INSERT',
      ]);
      expect(counter.total()).toBe(2);
    } finally {
      counter.stop();
    }
  });
});
