import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_CONTROL_ACTIONS } from '../../../../src/domain/call-control.js';
import { type CcHarness, ccHarness } from './harness.js';

let h: CcHarness;
let targetId: number;
let groupId: number;
beforeAll(async () => {
  h = await ccHarness();
  targetId = await h.target();
  groupId = await h.group([targetId]);
});
afterAll(async () => h.close());

describe('Call control keys (Core API resource)', () => {
  it('creates a key with defaults, shows the plain key once and stores only its hash', async () => {
    const res = await h.t.api('POST', '/call_control_keys.json', {
      call_control_key: { name: 'Call center', target_id: targetId },
    });
    expect(res.status).toBe(201);
    const k = res.body.call_control_key;
    expect(Object.keys(k)).toEqual([
      'id',
      'name',
      'key',
      'key_prefix',
      'target_id',
      'target_group_id',
      'actions',
      'return_timeout_seconds',
      'created_at',
      'revoked_at',
    ]);
    expect(k).toMatchObject({
      name: 'Call center',
      target_id: targetId,
      target_group_id: null,
      return_timeout_seconds: 30,
      revoked_at: null,
    });
    expect(k.actions).toEqual([...CALL_CONTROL_ACTIONS]);
    expect(k.key).toMatch(/^[0-9a-f]{48}$/);
    expect(k.key_prefix).toBe(k.key.slice(0, 8));
    expect(new Date(k.created_at).getTime()).toBe(h.t.clock.now());

    const row = await h.t.app.store.db
      .selectFrom('call_control_keys')
      .selectAll()
      .where('id', '=', k.id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(createHash('sha256').update(k.key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(k.key);

    const again = await h.t.api('GET', `/call_control_keys/${k.id}.json`);
    expect(again.status).toBe(200);
    expect(again.body.call_control_key.key).toBeUndefined();
    expect(again.body.call_control_key.key_prefix).toBe(k.key_prefix);
  });

  it('scopes a key to a group with chosen actions (canonical order, duplicates dropped) and timeout', async () => {
    const res = await h.t.api('POST', '/call_control_keys.json', {
      target_group_id: groupId,
      actions: ['return', 'active_calls', 'return'],
      return_timeout_seconds: 120,
    });
    expect(res.status).toBe(201);
    expect(res.body.call_control_key).toMatchObject({
      target_id: null,
      target_group_id: groupId,
      actions: ['active_calls', 'return'],
      return_timeout_seconds: 120,
      name: null,
    });
  });

  it('lists keys in JSON with paging headers, and in XML', async () => {
    const json = await h.t.api('GET', '/call_control_keys.json');
    expect(json.status).toBe(200);
    expect(json.body.length).toBeGreaterThanOrEqual(2);
    expect(json.body[0].call_control_key.key).toBeUndefined();
    expect(json.headers.link).toContain('rel="last"');
    const xml = await h.t.api('GET', '/call_control_keys.xml');
    expect(xml.headers['content-type']).toContain('text/xml');
    expect(xml.text).toContain('<call-control-keys type="array">');
    expect(xml.text).toContain('<actions type="array">');
    expect(xml.text).toContain('<action>active_calls</action>');
    expect(xml.text).toMatch(/<return-timeout-seconds type="integer">30<\/return-timeout-seconds>/);
  });

  it('creates from an XML body', async () => {
    const res = await h.t.api('POST', '/call_control_keys.xml', undefined, {
      headers: { 'content-type': 'text/xml' },
      rawBody: `<call-control-key><target-id>${targetId}</target-id><actions type="array"><action>transfer</action></actions></call-control-key>`,
    });
    expect(res.status).toBe(201);
    expect(res.text).toContain('<action>transfer</action>');
    expect(res.text).toMatch(/<key>[0-9a-f]{48}<\/key>/);
  });

  it.each([
    [{}, 'target_id'],
    [{ target_id: 1, target_group_id: 1 }, 'target_id'],
    [{ target_id: 'x' }, 'target_id'],
    [{ actions: ['transfer', 'hang_up'] }, 'actions'],
    [{ actions: [] }, 'actions'],
    [{ return_timeout_seconds: 0 }, 'return_timeout_seconds'],
    [{ return_timeout_seconds: 86_401 }, 'return_timeout_seconds'],
    [{ secret: 1 }, 'secret'],
  ])('refuses %j with 400 on %s', async (body, field) => {
    const withOwner =
      'target_id' in body || 'target_group_id' in body || Object.keys(body).length === 0
        ? body
        : { target_id: targetId, ...body };
    const res = await h.t.api('POST', '/call_control_keys.json', { call_control_key: withOwner });
    expect(res.status).toBe(400);
    expect(res.body.errors[field]).toBeDefined();
  });

  it("refuses another company's, a deleted, or an unknown target or group (400)", async () => {
    const other = await h.t.addTenant();
    const theirs = await h.t.api(
      'POST',
      '/targets.json',
      { target: { number: '+14165559999' } },
      { key: other.key },
    );
    const dead = await h.target();
    await h.t.api('DELETE', `/targets/${dead}.json`);
    for (const body of [
      { target_id: theirs.body.target.id },
      { target_id: dead },
      { target_id: 999_999 },
      { target_group_id: 999_999 },
    ]) {
      const res = await h.t.api('POST', '/call_control_keys.json', body);
      expect(res.status).toBe(400);
      expect(Object.values(res.body.errors).flat()[0]).toMatch(
        /is not a live target( group)? of this company/,
      );
    }
  });

  it("hides other companies' keys (404) and answers 404 for unknown ids", async () => {
    const mine = await h.key({ target_id: targetId });
    const other = await h.t.addTenant();
    expect(
      (await h.t.api('GET', `/call_control_keys/${mine.id}.json`, undefined, { key: other.key })).status,
    ).toBe(404);
    expect(
      (await h.t.api('DELETE', `/call_control_keys/${mine.id}.json`, undefined, { key: other.key })).status,
    ).toBe(404);
    expect((await h.t.api('GET', '/call_control_keys/999999.json')).status).toBe(404);
    const list = await h.t.api('GET', '/call_control_keys.json', undefined, { key: other.key });
    expect(list.body).toEqual([]);
  });

  it('revokes at once: the key stops working on the next request, and revoking again changes nothing', async () => {
    const { key, id } = await h.key({ target_id: targetId });
    expect((await h.call('GET', '/active_calls.json', { key })).status).toBe(200);
    const revoked = await h.t.api('DELETE', `/call_control_keys/${id}.json`);
    expect(revoked.status).toBe(200);
    expect(new Date(revoked.body.call_control_key.revoked_at).getTime()).toBe(h.t.clock.now());
    const after = await h.call('GET', '/active_calls.json', { key });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ success: false, error: 'not authorized' });

    await h.t.clock.advance(5_000);
    const twice = await h.t.api('DELETE', `/call_control_keys/${id}.json`);
    expect(twice.status).toBe(200);
    expect(twice.body.call_control_key.revoked_at).toBe(revoked.body.call_control_key.revoked_at);
    const shown = await h.t.api('GET', `/call_control_keys/${id}.json`);
    expect(shown.body.call_control_key.revoked_at).toBe(revoked.body.call_control_key.revoked_at);
  });
});

describe('Targets: live_call_mode', () => {
  it('defaults to null, takes "return" / "acceptance" / null, and refuses anything else', async () => {
    const created = await h.t.api('POST', '/targets.json', { target: { number: '+14165550001' } });
    expect(created.body.target.live_call_mode).toBeNull();
    const id = created.body.target.id;
    const set = await h.t.api('POST', '/targets.json', {
      target: { number: '+14165550002', live_call_mode: 'acceptance' },
    });
    expect(set.status).toBe(201);
    expect(set.body.target.live_call_mode).toBe('acceptance');
    const ret = await h.t.api('PUT', `/targets/${id}.json`, { target: { live_call_mode: 'return' } });
    expect(ret.body.target.live_call_mode).toBe('return');
    const xml = await h.t.api('GET', `/targets/${id}.xml`);
    expect(xml.text).toContain('<live-call-mode>return</live-call-mode>');
    const other = await h.t.api('PUT', `/targets/${id}.json`, { target: { name: 'kept' } });
    expect(other.body.target.live_call_mode).toBe('return');
    const cleared = await h.t.api('PUT', `/targets/${id}.json`, { target: { live_call_mode: null } });
    expect(cleared.body.target.live_call_mode).toBeNull();
    for (const bad of ['Return', 'reject', '', 1]) {
      const res = await h.t.api('PUT', `/targets/${id}.json`, { target: { live_call_mode: bad } });
      expect(res.status).toBe(400);
      expect(res.body.errors.live_call_mode).toBeDefined();
    }
  });
});
