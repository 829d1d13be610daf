import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
let targetId: number;
let campaignId: number;
const base = '/campaigns/cid/conv1/conversion_rules';

beforeAll(async () => {
  t = await createTestApp();
  expect((await t.api('POST', '/campaigns.json', { campaign: { cid: 'conv1', name: 'Conv' } })).status).toBe(
    201,
  );
  campaignId = (await t.api('GET', '/campaigns/cid/conv1.json')).body.campaign.id;
  expect((await t.api('POST', '/affiliates.json', { affiliate: { afid: 'pub1' } })).status).toBe(201);
  const target = await t.api('POST', '/targets.json', { target: { number: '+18668987001' } });
  expect(target.status).toBe(201);
  targetId = target.body.target.id;
});
afterAll(async () => t.close());

async function createRule(body: Record<string, unknown>, path = base) {
  const res = await t.api('POST', `${path}.json`, { conversion_rule: body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.conversion_rule;
}

describe('Conversion rules: CRUD', () => {
  it('creates a rule and returns every field', async () => {
    const res = await t.api('POST', `${base}.json`, {
      conversion_rule: { seconds: 90, revenue: 12.5, payout: 7.25, afid: 'pub1', target_id: targetId },
    });
    expect(res.status).toBe(201);
    const rule = res.body.conversion_rule;
    expect(Object.keys(rule).sort()).toEqual([
      'afid',
      'created_at',
      'id',
      'payout',
      'revenue',
      'seconds',
      'target_id',
      'updated_at',
    ]);
    expect(rule).toMatchObject({
      seconds: 90,
      revenue: 12.5,
      payout: 7.25,
      afid: 'pub1',
      target_id: targetId,
    });
    expect(rule.id).toBeGreaterThan(0);
    expect(new Date(rule.created_at).getTime()).toBe(t.clock.now());
    expect(rule.updated_at).toBe(rule.created_at);
  });

  it('defaults revenue and payout to 0 and afid/target_id to null (campaign-wide); accepts a bare body', async () => {
    const res = await t.api('POST', `${base}.json`, { seconds: 0 });
    expect(res.status).toBe(201);
    expect(res.body.conversion_rule).toMatchObject({
      seconds: 0,
      revenue: 0,
      payout: 0,
      afid: null,
      target_id: null,
    });
  });

  it('accepts numeric strings, as form fields send them', async () => {
    const res = await t.api('POST', `${base}.json`, undefined, {
      rawBody: 'conversion_rule[seconds]=30&conversion_rule[revenue]=3.10&conversion_rule[payout]=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.conversion_rule).toMatchObject({ seconds: 30, revenue: 3.1, payout: 1 });
  });

  it('lists the campaign rules in creation order, paged with a Link header', async () => {
    const res = await t.api('GET', `${base}.json`);
    expect(res.status).toBe(200);
    expect(res.body.map((r: any) => r.conversion_rule.seconds)).toEqual([90, 0, 30]);
    expect(res.headers['x-total-count']).toBe('3');
    expect(String(res.headers.link)).toContain('rel="last"');
  });

  it('gets one rule, also through the campaign internal id', async () => {
    const [first] = (await t.api('GET', `${base}.json`)).body;
    const { id } = first.conversion_rule;
    const byCid = await t.api('GET', `${base}/${id}.json`);
    expect(byCid.status).toBe(200);
    expect(byCid.body).toEqual(first);
    const byId = await t.api('GET', `/campaigns/${campaignId}/conversion_rules/${id}.json`);
    expect(byId.body).toEqual(first);
    expect((await t.api('GET', `/campaigns/${campaignId}/conversion_rules.json`)).body).toHaveLength(3);
  });

  it('updates only the attributes passed in, and null widens the rule to any affiliate/target', async () => {
    const rule = await createRule({ seconds: 60, revenue: 5, payout: 2, afid: 'pub1', target_id: targetId });
    await t.clock.advance(1000);
    const res = await t.api('PUT', `${base}/${rule.id}.json`, { conversion_rule: { payout: 3.33 } });
    expect(res.status).toBe(200);
    expect(res.body.conversion_rule).toMatchObject({
      seconds: 60,
      revenue: 5,
      payout: 3.33,
      afid: 'pub1',
      target_id: targetId,
    });
    expect(new Date(res.body.conversion_rule.updated_at).getTime()).toBe(t.clock.now());
    expect(res.body.conversion_rule.created_at).toBe(rule.created_at);
    const widened = await t.api('PUT', `${base}/${rule.id}.json`, {
      conversion_rule: { afid: null, target_id: null },
    });
    expect(widened.body.conversion_rule).toMatchObject({ afid: null, target_id: null, payout: 3.33 });
    const blank = await t.api('PUT', `${base}/${rule.id}.json`, { conversion_rule: { afid: 'pub1' } });
    expect(blank.body.conversion_rule.afid).toBe('pub1');
    expect(
      (await t.api('PUT', `${base}/${rule.id}.json`, { conversion_rule: { afid: '  ' } })).body
        .conversion_rule.afid,
    ).toBeNull();
  });

  it('accepts a GET representation back (read-only fields ignored)', async () => {
    const rule = await createRule({ seconds: 10 });
    const res = await t.api('PUT', `${base}/${rule.id}.json`, { conversion_rule: { ...rule, seconds: 11 } });
    expect(res.status).toBe(200);
    expect(res.body.conversion_rule).toMatchObject({ id: rule.id, seconds: 11 });
  });

  it('deletes a rule, answering it as it was; afterwards it is 404', async () => {
    const rule = await createRule({ seconds: 45, revenue: 1 });
    const res = await t.api('DELETE', `${base}/${rule.id}.json`);
    expect(res.status).toBe(200);
    expect(res.body.conversion_rule).toEqual(rule);
    expect((await t.api('GET', `${base}/${rule.id}.json`)).status).toBe(404);
    expect((await t.api('DELETE', `${base}/${rule.id}.json`)).status).toBe(404);
  });
});

describe('Conversion rules: XML', () => {
  it('answers a rule in XML with typed elements', async () => {
    const rule = await createRule({ seconds: 120, revenue: 9.99, payout: 4, target_id: targetId });
    const xml = await t.api('GET', `${base}/${rule.id}.xml`);
    expect(xml.headers['content-type']).toContain('text/xml');
    expect(xml.text).toContain('<conversion-rule>');
    expect(xml.text).toContain('<seconds type="integer">120</seconds>');
    expect(xml.text).toContain('<revenue type="float">9.99</revenue>');
    expect(xml.text).toContain('<payout type="integer">4</payout>');
    expect(xml.text).toContain('<afid nil="true"></afid>');
    expect(xml.text).toContain(`<target-id type="integer">${targetId}</target-id>`);
    expect(xml.text).toMatch(/<created-at type="datetime">\d{4}-\d\d-\d\dT/);
  });

  it('lists as an XML array', async () => {
    const xml = await t.api('GET', `${base}.xml`);
    expect(xml.text).toContain('<conversion-rules type="array">');
  });

  it('creates from an XML body', async () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<conversion-rule>
  <seconds type="integer">75</seconds>
  <revenue type="float">2.5</revenue>
  <afid>pub1</afid>
</conversion-rule>`;
    const res = await t.api('POST', `${base}.xml`, undefined, {
      rawBody: body,
      headers: { 'content-type': 'text/xml' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.text).toContain('<seconds type="integer">75</seconds>');
    expect(res.text).toContain('<afid>pub1</afid>');
    expect(res.text).toContain('<payout type="integer">0</payout>');
  });
});

describe('Conversion rules: validation', () => {
  const bad = async (body: Record<string, unknown>, field: string, message?: string) => {
    const res = await t.api('POST', `${base}.json`, { conversion_rule: body });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.errors?.[field], JSON.stringify(res.body)).toBeDefined();
    if (message) expect(res.body.errors[field]).toContain(message);
  };

  it('requires seconds on create', () => bad({ revenue: 1 }, 'seconds', "can't be blank"));
  it('refuses negative or fractional seconds', async () => {
    await bad({ seconds: -1 }, 'seconds');
    await bad({ seconds: 1.5 }, 'seconds');
    await bad({ seconds: 'soon' }, 'seconds');
  });
  it('refuses negative amounts and more than 2 decimals', async () => {
    await bad({ seconds: 1, revenue: -0.01 }, 'revenue');
    await bad({ seconds: 1, payout: -5 }, 'payout');
    await bad({ seconds: 1, revenue: 1.005 }, 'revenue', 'must have at most 2 decimal places');
    await bad({ seconds: 1, payout: 0.001 }, 'payout', 'must have at most 2 decimal places');
  });
  it('refuses an unknown afid or target_id', async () => {
    await bad({ seconds: 1, afid: 'nobody' }, 'afid', 'does not match any affiliate');
    await bad({ seconds: 1, target_id: 999_999 }, 'target_id', 'does not match any target');
  });
  it('refuses unknown attributes', () => bad({ seconds: 1, bonus: 3 }, 'bonus', 'is not a known attribute'));
  it('reports every bad field at once', async () => {
    const res = await t.api('POST', `${base}.json`, { conversion_rule: { revenue: 1.001, afid: 'nobody' } });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors).sort()).toEqual(['afid', 'revenue', 'seconds']);
  });
  it('validates updates too, and leaves the rule unchanged', async () => {
    const rule = await createRule({ seconds: 5 });
    const res = await t.api('PUT', `${base}/${rule.id}.json`, {
      conversion_rule: { seconds: 6, target_id: 999_999 },
    });
    expect(res.status).toBe(400);
    expect((await t.api('GET', `${base}/${rule.id}.json`)).body.conversion_rule.seconds).toBe(5);
  });
  it('refuses a deleted affiliate or target', async () => {
    await t.api('POST', '/affiliates.json', { affiliate: { afid: 'gonepub' } });
    await t.api('DELETE', '/affiliates/afid/gonepub.json');
    await bad({ seconds: 1, afid: 'gonepub' }, 'afid');
    const target = await t.api('POST', '/targets.json', { target: { number: '+18668987002' } });
    await t.api('DELETE', `/targets/${target.body.target.id}.json`);
    await bad({ seconds: 1, target_id: target.body.target.id }, 'target_id');
  });
});

describe('Conversion rules: not found and tenancy', () => {
  it('answers 404 for an unknown campaign or rule, and a rule of another campaign', async () => {
    expect((await t.api('GET', '/campaigns/cid/nope/conversion_rules.json')).status).toBe(404);
    expect((await t.api('POST', '/campaigns/cid/nope/conversion_rules.json', { seconds: 1 })).status).toBe(
      404,
    );
    expect((await t.api('GET', `${base}/999999.json`)).status).toBe(404);
    await t.api('POST', '/campaigns.json', { campaign: { cid: 'conv2' } });
    const rule = await createRule({ seconds: 1 }, '/campaigns/cid/conv2/conversion_rules');
    expect((await t.api('GET', `${base}/${rule.id}.json`)).status).toBe(404);
    expect((await t.api('PUT', `${base}/${rule.id}.json`, { seconds: 2 })).status).toBe(404);
    expect((await t.api('DELETE', `${base}/${rule.id}.json`)).status).toBe(404);
  });

  it('answers 410 for a deleted campaign', async () => {
    await t.api('POST', '/campaigns.json', { campaign: { cid: 'conv-gone' } });
    await t.api('DELETE', '/campaigns/cid/conv-gone.json');
    expect((await t.api('GET', '/campaigns/cid/conv-gone/conversion_rules.json')).status).toBe(410);
  });

  it("hides another company's campaign and rules (404), and refuses its affiliates and targets (400)", async () => {
    const other = await t.addTenant();
    const as = { key: other.key };
    expect((await t.api('GET', `${base}.json`, undefined, as)).status).toBe(404);
    expect((await t.api('GET', `/campaigns/${campaignId}/conversion_rules.json`, undefined, as)).status).toBe(
      404,
    );
    expect((await t.api('POST', `${base}.json`, { seconds: 1 }, as)).status).toBe(404);
    const [first] = (await t.api('GET', `${base}.json`)).body;
    expect((await t.api('DELETE', `${base}/${first.conversion_rule.id}.json`, undefined, as)).status).toBe(
      404,
    );

    expect((await t.api('POST', '/campaigns.json', { campaign: { cid: 'theirs' } }, as)).status).toBe(201);
    const theirs = '/campaigns/cid/theirs/conversion_rules.json';
    const res = await t.api('POST', theirs, { seconds: 1, afid: 'pub1', target_id: targetId }, as);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors).sort()).toEqual(['afid', 'target_id']);
  });

  it('needs an api key', async () => {
    expect((await t.api('GET', `${base}.json`, undefined, { key: null })).status).toBe(401);
  });
});

describe('Conversion rules: OpenAPI', () => {
  it('documents the paths with tags, summaries, descriptions and field descriptions', async () => {
    const doc = (await t.api('GET', '/openapi.json', undefined, { key: null })).body;
    const list = doc.paths['/campaigns/cid/{cid}/conversion_rules.json'];
    const one = doc.paths['/campaigns/cid/{cid}/conversion_rules/{id}.json'];
    expect(Object.keys(list).sort()).toEqual(['get', 'post']);
    expect(Object.keys(one).sort()).toEqual(['delete', 'get', 'put']);
    expect(doc.paths['/campaigns/{id}/conversion_rules/{rule_id}.json']).toBeDefined();
    expect(list.post.tags).toEqual(['Conversion Rules']);
    expect(list.post.summary).toBe('Create a Conversion Rule');
    expect(list.post.description).toContain('most specific');
    const schema = list.post.requestBody.content['application/json'].schema;
    expect(schema.properties.revenue.description).toContain('2 decimals');
    expect(schema.properties.seconds.minimum).toBe(0);
  });
});

describe('Conversion rules: for the engine', () => {
  it('hands a campaign rules over in the domain shape (dollars, internal ids), ready for decideConversion', async () => {
    await t.api('POST', '/campaigns.json', { campaign: { cid: 'conv-engine' } });
    const { id } = (await t.api('GET', '/campaigns/cid/conv-engine.json')).body.campaign;
    const path = '/campaigns/cid/conv-engine/conversion_rules';
    const a = await createRule({ seconds: 60, revenue: 10.1, payout: 5 }, path);
    const b = await createRule(
      { seconds: 30, revenue: 3, payout: 1.25, afid: 'pub1', target_id: targetId },
      path,
    );
    const affiliateId = (await t.api('GET', '/affiliates/afid/pub1.json')).body.affiliate.id;
    const rules = await t.app.services.conversionRules.forCampaign(id);
    expect(rules).toEqual([
      { id: a.id, seconds: 60, revenue: 10.1, payout: 5, affiliate_id: null, target_id: null },
      { id: b.id, seconds: 30, revenue: 3, payout: 1.25, affiliate_id: affiliateId, target_id: targetId },
    ]);
  });
});
