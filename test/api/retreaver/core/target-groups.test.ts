import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

let seq = 0;
async function newTarget(key?: string): Promise<number> {
  seq += 1;
  const res = await t.api(
    'POST',
    '/targets.json',
    { target: { number: `+1866898${String(6000 + seq)}` } },
    { key },
  );
  expect(res.status).toBe(201);
  return res.body.target.id;
}

async function newGroup(attrs: Record<string, unknown> = {}) {
  const res = await t.api('POST', '/target_groups.json', { target_group: { name: 'test', ...attrs } });
  expect(res.status).toBe(201);
  return res.body.target_group;
}

const members = (groupId: number) =>
  t.app.store.db
    .selectFrom('target_group_members')
    .select('target_id')
    .where('target_group_id', '=', groupId)
    .orderBy('position')
    .execute()
    .then((rows) => rows.map((r) => r.target_id));

const at = (iso: string) => Date.parse(iso);
const filled = (caps: any[]) => Object.fromEntries(caps.map((c) => [c.type, c.filled]));

async function hit(ownerType: 'target' | 'target_group', ownerId: number, iso: string) {
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

describe('Target groups: create and read', () => {
  it('creates the seed example with every documented field and default', async () => {
    const ids = [await newTarget(), await newTarget(), await newTarget()];
    const res = await t.api('POST', '/target_groups.json', {
      target_group: { target_ids: ids, name: 'test', concurrency_cap: 5 },
    });
    expect(res.status).toBe(201);
    const g = res.body.target_group;
    expect(Object.keys(g)).toEqual([
      'id',
      'name',
      'target_ids',
      'concurrency_cap',
      'calls_in_progress',
      'behavior',
      'priority',
      'weight',
      'caps',
    ]);
    expect(g).toMatchObject({
      name: 'test',
      target_ids: ids,
      concurrency_cap: 5,
      calls_in_progress: 0,
      behavior: 1,
      priority: null,
      weight: null,
    });
    expect(g.caps.map((c: any) => [c.type, c.cap, c.filled])).toEqual([
      ['Daily', null, 0],
      ['Hard', null, 0],
      ['Hourly', null, 0],
      ['Monthly', null, 0],
    ]);
    expect(await members(g.id)).toEqual(ids);
  });

  it('defaults target_ids to an empty list and accepts simuldial with priority and weight', async () => {
    const g = await newGroup({ behavior: 2, priority: 3, weight: 5, hard_cap_attributes: { cap: 10 } });
    expect(g).toMatchObject({ target_ids: [], behavior: 2, priority: 3, weight: 5 });
    expect(g.caps[1]).toMatchObject({ type: 'Hard', cap: 10 });
  });

  it('gets one in JSON and XML, and lists in XML', async () => {
    const id = await newTarget();
    const g = await newGroup({ target_ids: [id] });
    expect((await t.api('GET', `/target_groups/${g.id}.json`)).body.target_group).toEqual(g);
    const xml = await t.api('GET', `/target_groups/${g.id}.xml`);
    expect(xml.text).toContain('<target-group>');
    expect(xml.text).toContain(`<target-ids type="array">\n    <target-id type="integer">${id}</target-id>`);
    expect(xml.text).toContain('<calls-in-progress type="integer">0</calls-in-progress>');
    expect(xml.text).toContain('<caps type="array">');
    const list = await t.api('GET', '/target_groups.xml');
    expect(list.text).toContain('<target-groups type="array">');
  });

  it('takes an XML request body', async () => {
    const id = await newTarget();
    const body = `<target-group><name>From XML</name><behavior type="integer">1</behavior>
      <target-ids type="array"><target-id type="integer">${id}</target-id></target-ids></target-group>`;
    const res = await t.api('POST', '/target_groups.json', undefined, {
      rawBody: body,
      headers: { 'content-type': 'text/xml' },
    });
    expect(res.status).toBe(201);
    expect(res.body.target_group).toMatchObject({ name: 'From XML', target_ids: [id] });
  });

  it('pages by 25 with a Link header', async () => {
    const other = await t.addTenant();
    for (let i = 0; i < 27; i++)
      await t.api('POST', '/target_groups.json', { target_group: { name: `g${i}` } }, { key: other.key });
    const first = await t.api('GET', '/target_groups.json', undefined, { key: other.key });
    expect(first.body).toHaveLength(25);
    expect(first.headers.link).toContain('page=2>; rel="next"');
    const second = await t.api('GET', '/target_groups.json?page=2', undefined, { key: other.key });
    expect(second.body.map((b: any) => b.target_group.name)).toEqual(['g25', 'g26']);
  });
});

describe('Target groups: rules', () => {
  it('requires a name, behavior 1 or 2, and priority and weight for simuldial; writes nothing on error', async () => {
    const count = async () =>
      (await t.app.store.db.selectFrom('target_groups').select('id').execute()).length;
    const before = await count();
    const cases: [Record<string, unknown>, string[]][] = [
      [{}, ['name']],
      [{ name: '  ' }, ['name']],
      [{ name: 'x', behavior: 3 }, ['behavior']],
      [{ name: 'x', behavior: 2 }, ['priority', 'weight']],
      [{ name: 'x', behavior: 2, priority: 1 }, ['weight']],
      [{ name: 'x', concurrency_cap: -1 }, ['concurrency_cap']],
      [{ name: 'x', color: 'red' }, ['color']],
      [{ name: 'x', target_ids: ['a'] }, ['target_ids']],
      [{ name: 'x', target_ids: [2 ** 40] }, ['target_ids']],
      [{ name: 'x', hourly_cap_attributes: { cap: -5 } }, ['hourly_cap_attributes']],
    ];
    for (const [attrs, fields] of cases) {
      const res = await t.api('POST', '/target_groups.json', { target_group: attrs });
      expect(res.status, JSON.stringify(attrs)).toBe(400);
      for (const f of fields) expect(Object.keys(res.body.errors).join(), JSON.stringify(attrs)).toContain(f);
    }
    expect(await count()).toBe(before);
  });

  it('needs priority and weight when an update switches to simuldial', async () => {
    const g = await newGroup();
    const bad = await t.api('PUT', `/target_groups/${g.id}.json`, {
      target_group: { behavior: 2, priority: 1 },
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors)).toEqual(['weight']);
    const ok = await t.api('PUT', `/target_groups/${g.id}.json`, {
      target_group: { behavior: 2, priority: 1, weight: 2 },
    });
    expect(ok.body.target_group).toMatchObject({ behavior: 2, priority: 1, weight: 2 });
    const unset = await t.api('PUT', `/target_groups/${g.id}.json`, { target_group: { weight: null } });
    expect(unset.status).toBe(400);
  });

  it('refuses targets of another company, unknown and deleted ones, naming them, and writes nothing', async () => {
    const mine = await newTarget();
    const other = await t.addTenant();
    const theirs = await newTarget(other.key);
    const deleted = await newTarget();
    await t.api('DELETE', `/targets/${deleted}.json`);
    const g = await newGroup({ name: 'keep', target_ids: [mine] });
    for (const field of ['target_ids', 'add_targets_by_id']) {
      const res = await t.api('PUT', `/target_groups/${g.id}.json`, {
        target_group: { name: 'changed', [field]: [mine, theirs, 999_999, deleted] },
      });
      expect(res.status).toBe(400);
      expect(res.body.errors[field][0]).toContain(`${theirs}, 999999, ${deleted}`);
    }
    const create = await t.api('POST', '/target_groups.json', {
      target_group: { name: 'n', target_ids: [theirs] },
    });
    expect(create.status).toBe(400);
    expect((await t.api('GET', `/target_groups/${g.id}.json`)).body.target_group).toMatchObject({
      name: 'keep',
      target_ids: [mine],
    });
  });
});

describe('Target groups: members', () => {
  it('replaces, adds and removes targets', async () => {
    const [a, b, c, d, e] = [
      await newTarget(),
      await newTarget(),
      await newTarget(),
      await newTarget(),
      await newTarget(),
    ];
    const g = await newGroup({ target_ids: [a, b, c] });
    const url = `/target_groups/${g.id}.json`;
    expect(
      (await t.api('PUT', url, { target_group: { add_targets_by_id: [d, a] } })).body.target_group.target_ids,
    ).toEqual([a, b, c, d]);
    expect(
      (await t.api('PUT', url, { target_group: { remove_targets_by_id: [a, e] } })).body.target_group
        .target_ids,
    ).toEqual([b, c, d]);
    expect(
      (await t.api('PUT', url, { target_group: { target_ids: [e, d, e] } })).body.target_group.target_ids,
    ).toEqual([e, d]);
    const renamed = await t.api('PUT', url, { target_group: { name: 'hello' } });
    expect(renamed.body.target_group).toMatchObject({ name: 'hello', target_ids: [e, d] });
    expect(
      (await t.api('PUT', url, { target_group: { target_ids: [] } })).body.target_group.target_ids,
    ).toEqual([]);
    expect(await members(g.id)).toEqual([]);
  });

  it('applies target_ids, then additions, then removals in one request', async () => {
    const [a, b, c] = [await newTarget(), await newTarget(), await newTarget()];
    const g = await newGroup({ target_ids: [a] });
    const res = await t.api('PUT', `/target_groups/${g.id}.json`, {
      target_group: { target_ids: [b], add_targets_by_id: [c, a], remove_targets_by_id: [c] },
    });
    expect(res.body.target_group.target_ids).toEqual([b, a]);
  });
});

describe('Target groups: caps', () => {
  it('counts the group hits in UTC periods and sets caps through nested attributes', async () => {
    t.clock.set(at('2025-03-15T10:30:00Z'));
    const g = await newGroup();
    for (const iso of [
      '2025-03-15T10:05:00Z',
      '2025-03-15T01:00:00Z',
      '2025-03-01T00:00:00Z',
      '2025-02-28T23:59:59Z',
    ]) {
      await hit('target_group', g.id, iso);
    }
    await hit('target', g.id, '2025-03-15T10:06:00Z'); // a target with the same id is another owner
    const res = await t.api('PUT', `/target_groups/${g.id}.json`, {
      target_group: { daily_cap_attributes: { cap: 7 } },
    });
    expect(filled(res.body.target_group.caps)).toEqual({ Hourly: 1, Daily: 2, Monthly: 3, Hard: 4 });
    expect(res.body.target_group.caps[0]).toMatchObject({ type: 'Daily', cap: 7 });
  });

  it('reset_cap clears the hard cap of the group and of every member, nothing else', async () => {
    t.clock.set(at('2025-03-15T10:30:00Z'));
    const [a, b, outsider] = [await newTarget(), await newTarget(), await newTarget()];
    const g = await newGroup({ target_ids: [a, b] });
    for (const [type, id] of [
      ['target_group', g.id],
      ['target', a],
      ['target', b],
      ['target', outsider],
    ] as const) {
      await hit(type, id, '2025-03-15T10:00:00Z');
    }
    const res = await t.api('POST', `/target_groups/${g.id}/reset_cap.json`, undefined, {
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(filled(res.body.target_group.caps)).toEqual({ Hourly: 1, Daily: 1, Monthly: 1, Hard: 0 });
    const hard = async (id: number) =>
      filled((await t.api('GET', `/targets/${id}.json`)).body.target.caps).Hard;
    expect([await hard(a), await hard(b), await hard(outsider)]).toEqual([0, 0, 1]);
  });
});

describe('Target groups: deletion and tenancy', () => {
  it('deletes (answering the group as it was), then answers 410', async () => {
    const id = await newTarget();
    const g = await newGroup({ target_ids: [id] });
    const del = await t.api('DELETE', `/target_groups/${g.id}.json`);
    expect(del.status).toBe(200);
    expect(del.body.target_group).toMatchObject({ id: g.id, target_ids: [id] });
    for (const [method, url] of [
      ['GET', `/target_groups/${g.id}.json`],
      ['PUT', `/target_groups/${g.id}.json`],
      ['DELETE', `/target_groups/${g.id}.json`],
      ['POST', `/target_groups/${g.id}/reset_cap.json`],
    ]) {
      expect(
        (await t.api(method, url, method === 'PUT' ? { name: 'x' } : undefined)).status,
        `${method} ${url}`,
      ).toBe(410);
    }
    expect((await t.api('GET', `/targets/${id}.json`)).status).toBe(200);
    expect(await members(g.id)).toEqual([]);
  });

  it("answers 404 for another company's group and leaves it alone", async () => {
    const other = await t.addTenant();
    const theirs = await t.api(
      'POST',
      '/target_groups.json',
      { target_group: { name: 'theirs' } },
      { key: other.key },
    );
    const id = theirs.body.target_group.id;
    for (const [method, url] of [
      ['GET', `/target_groups/${id}.json`],
      ['PUT', `/target_groups/${id}.json`],
      ['DELETE', `/target_groups/${id}.json`],
      ['POST', `/target_groups/${id}/reset_cap.json`],
    ]) {
      const res = await t.api(method, url, method === 'PUT' ? { name: 'mine' } : undefined);
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(res.body).toMatchObject({ status: 404, error: 'Not Found' });
    }
    const still = await t.api('GET', `/target_groups/${id}.json`, undefined, { key: other.key });
    expect(still.body.target_group.name).toBe('theirs');
  });
});
