import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOLL_FREE_PREFIXES } from '../../../../src/domain/number-inventory.js';
import { NumberService } from '../../../../src/services/numbers.js';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
let campaign: any;
beforeAll(async () => {
  t = await createTestApp();
  const res = await t.api('POST', '/campaigns.json', {
    campaign: {
      cid: '0001',
      message: 'Hi There! Press one to continue.',
      voice_gender: 'Female',
      repeat: 2,
      timers_attributes: [
        { seconds: 0, url: 'http://callpixels.example/click' },
        { seconds: 90, url: 'http://callpixels.example/sale' },
      ],
      menu_options_attributes: [{ option: '1', target_number: '+18884899999' }],
    },
  });
  campaign = res.body.campaign;
  await t.api('POST', '/campaigns.json', { campaign: { cid: '399944' } });
});
afterAll(async () => t.close());

const count = async (table: 'numbers' | 'affiliates' | 'timers' | 'menu_options') =>
  Number(
    (
      await t.app.store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const create = async (number: object) => {
  const res = await t.api('POST', '/numbers.json', { number });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.number;
};

function expectBadRequest(res: { status: number; body: any }, field?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.status).toBe(400);
  expect(typeof res.body.error).toBe('string');
  if (field) expect(Object.keys(res.body.errors ?? {}), JSON.stringify(res.body)).toContain(field);
}

describe('Numbers: provisioning', () => {
  it("creates the seed's toll-free TEST number for a new affiliate", async () => {
    expect((await t.api('GET', '/affiliates/afid/0002.json')).status).toBe(404);
    const n = await create({
      type: 'Toll-free',
      desired_text: 'TEST',
      afid: '0002',
      cid: '0001',
      sid: 'superaffiliate',
    });
    expect(TOLL_FREE_PREFIXES).toContain(n.number.slice(2, 5));
    expect(n.number.slice(5)).toContain('8378');
    expect(parsePhoneNumberFromString(n.number)!.getType()).toBe('TOLL_FREE');
    expect(n).toMatchObject({
      toll_free: true,
      sid: 'superaffiliate',
      afid: '0002',
      cid: '0001',
      uses_campaign_settings: true,
    });
    expect(new Date(n.created_at).getTime()).toBe(t.clock.now());
    expect(n.updated_at).toBe(n.created_at);
    expect((await t.api('GET', '/affiliates/afid/0002.json')).status).toBe(200);
  });

  it("shows the campaign's settings as inherited", async () => {
    const n = await create({ afid: '0002', cid: '0001' });
    expect(n.sid).toBeNull();
    expect(n.toll_free).toBe(true);
    expect(n.greeting).toEqual({
      message: 'Hi There! Press one to continue.',
      voice_gender: 'Female',
      inherited: true,
    });
    expect(n.repeat).toBe(2);
    expect(n.timers).toEqual(campaign.timers.map((x: any) => ({ timer: { ...x.timer, inherited: true } })));
    expect(n.menu_options).toEqual(
      campaign.menu_options.map((x: any) => ({ menu_option: { ...x.menu_option, inherited: true } })),
    );
  });

  it.each(['US', 'CA', 'GB', 'SE'])('provisions a Local number in %s', async (country) => {
    const n = await create({ type: 'Local', country, afid: '0002', cid: '0001' });
    const parsed = parsePhoneNumberFromString(n.number)!;
    expect(parsed.isValid()).toBe(true);
    expect(parsed.country).toBe(country);
    expect(n.toll_free).toBe(false);
  });

  it('defaults Local numbers to the US', async () => {
    const n = await create({ type: 'Local', afid: '0002', cid: '0001' });
    expect(parsePhoneNumberFromString(n.number)!.country).toBe('US');
  });

  it('never hands out a live number twice, and a deleted number returns to the inventory', async () => {
    // Two services with the same pinned random source propose the same candidates in the same order.
    const pinned = () => {
      let i = 0;
      const seq = [0.1, 0.5, 0.3, 0.7, 0.2, 0.9, 0.4, 0.6, 0.8, 0.05];
      return () => seq[i++ % seq.length];
    };
    const svc = () =>
      new NumberService(
        t.app.store.db,
        t.clock,
        pinned(),
        t.app.services.affiliates,
        t.app.services.campaigns,
      );
    const first = await svc().create(t.companyId, { afid: '0002', cid: '0001' });
    const second = await svc().create(t.companyId, { afid: '0002', cid: '0001' });
    expect(second.number.number).not.toBe(first.number.number);
    await t.api('DELETE', `/numbers/${first.number.id}.json`);
    const again = await svc().create(t.companyId, { afid: '0002', cid: '0001' });
    expect(again.number.number).toBe(first.number.number);
    expect(again.number.id).not.toBe(first.number.id);
  });
});

describe('Numbers: bad input', () => {
  const cases: [string, object, string][] = [
    ['an unknown type', { type: 'Mobile', afid: 'x', cid: '0001' }, 'type'],
    ['an unknown country', { type: 'Local', country: 'DE', afid: 'x', cid: '0001' }, 'country'],
    ['a missing afid', { cid: '0001' }, 'afid'],
    ['a missing cid', { afid: 'new-aff' }, 'cid'],
    ['an unknown cid', { afid: 'new-aff', cid: 'nope' }, 'cid'],
    ['an unknown field', { afid: 'new-aff', cid: '0001', colour: 'red' }, 'colour'],
    ['a wrong type for sid', { afid: 'new-aff', cid: '0001', sid: { a: 1 } }, 'sid'],
    [
      'a bad phone number',
      { afid: 'new-aff', cid: '0001', menu_options_attributes: [{ option: '1', target_number: '555' }] },
      'menu_options_attributes.0.target_number',
    ],
    [
      'a bad option key',
      { afid: 'new-aff', cid: '0001', menu_options_attributes: [{ option: 'A' }] },
      'menu_options_attributes.0.option',
    ],
    [
      'a bad URL',
      { afid: 'new-aff', cid: '0001', timers_attributes: [{ seconds: 0, url: 'javascript:alert(1)' }] },
      'timers_attributes.0.url',
    ],
    [
      'invalid base64',
      { afid: 'new-aff', cid: '0001', message_file_b64_data: '@@@', message_file_b64_filename: 'a.wav' },
      'message_file_b64_data',
    ],
  ];
  it.each(
    cases,
  )('answers 400 for %s, creating neither number nor affiliate', async (_label, number, field) => {
    const before = await Promise.all([
      count('numbers'),
      count('affiliates'),
      count('timers'),
      count('menu_options'),
    ]);
    expectBadRequest(await t.api('POST', '/numbers.json', { number }), field);
    expect(
      await Promise.all([count('numbers'), count('affiliates'), count('timers'), count('menu_options')]),
    ).toEqual(before);
  });

  it('answers 400 for a failing update without creating the affiliate or touching the number', async () => {
    const n = await create({ afid: '0002', cid: '0001' });
    const before = await count('affiliates');
    const res = await t.api('PUT', `/numbers/${n.id}.json`, {
      number: { afid: 'brand-new', sid: 'changed', message: 'x', menu_options_attributes: [{ option: 'X' }] },
    });
    expectBadRequest(res, 'menu_options_attributes.0.option');
    expect(await count('affiliates')).toBe(before);
    // The create answer wraps timers (its example); GET shows them bare (the list/get example).
    expect((await t.api('GET', `/numbers/${n.id}.json`)).body.number).toEqual({
      ...n,
      timers: n.timers.map((x: any) => x.timer),
    });
  });

  it('refuses to re-provision on update', async () => {
    const n = await create({ afid: '0002', cid: '0001' });
    expectBadRequest(await t.api('PUT', `/numbers/${n.id}.json`, { number: { type: 'Local' } }), 'type');
  });
});

describe('Numbers: overrides', () => {
  it('stores overrides given at creation with inherited=false', async () => {
    const n = await create({
      afid: '0002',
      cid: '0001',
      message: 'Number greeting',
      repeat: 1,
      timers_attributes: [{ seconds: 30, url: 'https://own.example/t' }],
      menu_options_attributes: [{ option: '2', target_cid: '399944' }],
    });
    expect(n.uses_campaign_settings).toBe(false);
    expect(n.greeting).toEqual({ message: 'Number greeting', voice_gender: 'Female', inherited: false });
    expect(n.repeat).toBe(1);
    expect(n.timers).toEqual([
      { timer: { id: expect.any(Number), seconds: 30, url: 'https://own.example/t', inherited: false } },
    ]);
    expect(n.menu_options).toEqual([
      {
        menu_option: {
          id: expect.any(Number),
          option: '2',
          target_cid: '399944',
          target_number: null,
          target_ids: [],
          target_group_ids: [],
          inherited: false,
        },
      },
    ]);
    const campaignNow = (await t.api('GET', '/campaigns/cid/0001.json')).body.campaign;
    expect(campaignNow.timers).toEqual(campaign.timers);
  });

  it('flips each inherited flag on its own when overridden by update; destroy_nested hands them back', async () => {
    const n = await create({ afid: '0002', cid: '0001' });
    const timersOnly = (
      await t.api('PUT', `/numbers/${n.id}.json`, {
        number: { timers_attributes: [{ seconds: 5, url: 'http://t.example' }] },
      })
    ).body.number;
    expect(timersOnly.uses_campaign_settings).toBe(false);
    expect(timersOnly.timers.map((x: any) => x.timer.inherited)).toEqual([false]);
    expect(timersOnly.greeting.inherited).toBe(true);
    expect(timersOnly.menu_options[0].menu_option.inherited).toBe(true);

    const greeting = (await t.api('PUT', `/numbers/${n.id}.json`, { number: { voice_gender: 'Male' } })).body
      .number;
    expect(greeting.greeting).toEqual({
      message: 'Hi There! Press one to continue.',
      voice_gender: 'Male',
      inherited: false,
    });

    const back = (await t.api('PUT', `/numbers/${n.id}.json`, { number: { destroy_nested: true } })).body
      .number;
    expect(back.timers).toEqual(
      campaign.timers.map((x: any) => ({ timer: { ...x.timer, inherited: true } })),
    );
    expect(back.greeting.inherited).toBe(false);
  });

  it('takes a Base64 greeting as an override', async () => {
    const data = Buffer.from('RIFF....WAVEfmt ');
    const n = await create({
      afid: '0002',
      cid: '0001',
      message_file_b64_data: data.toString('base64'),
      message_file_b64_filename: 'n.wav',
    });
    expect(n.greeting).toMatchObject({
      audio_file_name: 'n.wav',
      audio_file_size: data.length,
      inherited: false,
    });
  });

  it("refuses a timer id of the campaign when a number overrides (the number's own items only)", async () => {
    const n = await create({ afid: '0002', cid: '0001' });
    const res = await t.api('PUT', `/numbers/${n.id}.json`, {
      number: { timers_attributes: [{ id: campaign.timers[0].timer.id, seconds: 3 }] },
    });
    expectBadRequest(res, 'timers_attributes.0.id');
    expect((await t.api('GET', `/numbers/${n.id}.json`)).body.number.timers[0].inherited).toBe(true);
  });
});

describe('Numbers: read, update, filter, delete', () => {
  it('renders XML with the wrapped timers and menu options', async () => {
    const n = await create({ afid: '0002', cid: '0001', sid: 'xml' });
    const xml = await t.api('GET', `/numbers/${n.id}.xml`);
    expect(xml.text).toContain(`<number>${n.number}</number>`);
    expect(xml.text).toContain('<toll-free type="boolean">true</toll-free>');
    expect(xml.text).toContain('<uses-campaign-settings type="boolean">true</uses-campaign-settings>');
    expect(xml.text).toMatch(
      /<greeting>[\s\S]*<inherited type="boolean">true<\/inherited>[\s\S]*<\/greeting>/,
    );
    expect(xml.text).toMatch(/<timers type="array">\s*<timer>\s*<id type="integer">/);
    expect(xml.text).toMatch(/<menu-options type="array">\s*<menu-option>/);
    const list = await t.api('GET', '/numbers.xml?sid=xml');
    expect(list.text).toMatch(/<numbers type="array">\s*<number>\s*<id type="integer">/);
  });

  it('updates afid (creating the affiliate), cid and sid', async () => {
    const n = await create({ afid: '0002', cid: '0001' });
    await t.clock.advance(1000);
    const res = await t.api('PUT', `/numbers/${n.id}.json`, {
      number: { afid: '0005', cid: '399944', sid: 'moved' },
    });
    expect(res.status).toBe(200);
    expect(res.body.number).toMatchObject({
      afid: '0005',
      cid: '399944',
      sid: 'moved',
      number: n.number,
      timers: [],
      menu_options: [],
    });
    expect(new Date(res.body.number.updated_at).getTime()).toBe(t.clock.now());
    expect((await t.api('GET', '/affiliates/afid/0005.json')).status).toBe(200);
    expectBadRequest(await t.api('PUT', `/numbers/${n.id}.json`, { number: { cid: 'missing' } }), 'cid');
  });

  it('filters by cid, afid and sid', async () => {
    const a = await create({ afid: 'filter-a', cid: '399944', sid: 's1' });
    const b = await create({ afid: 'filter-b', cid: '399944', sid: 's2' });
    const ids = async (q: string) =>
      (await t.api('GET', `/numbers.json?${q}`)).body.map((x: any) => x.number.id);
    expect(await ids('afid=filter-a')).toEqual([a.id]);
    expect(await ids('sid=s2')).toEqual([b.id]);
    const byCid = await ids('cid=399944');
    expect(byCid).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(byCid).not.toContain((await ids('cid=0001'))[0]);
    expect(await ids('cid=399944&afid=filter-b&sid=s2')).toEqual([b.id]);
    expect(await ids('afid=nobody')).toEqual([]);
  });

  it('pages with a Link header', async () => {
    for (let i = 0; i < 26; i++) await create({ afid: 'pager', cid: '0001' });
    const res = await t.api('GET', '/numbers.json?afid=pager');
    expect(res.body).toHaveLength(25);
    expect(String(res.headers.link)).toContain('rel="next"');
    expect(String(res.headers.link)).toContain('afid=pager');
    expect((await t.api('GET', '/numbers.json?afid=pager&page=2')).body).toHaveLength(1);
  });

  it('deletes softly: 200, then 410 Gone, and gone from lists', async () => {
    const n = await create({ afid: 'del', cid: '0001' });
    const del = await t.api('DELETE', `/numbers/${n.id}.json`);
    expect(del.status).toBe(200);
    expect(del.body.number.number).toBe(n.number);
    expect((await t.api('GET', `/numbers/${n.id}.json`)).status).toBe(410);
    expect((await t.api('PUT', `/numbers/${n.id}.json`, { number: { sid: 'x' } })).status).toBe(410);
    expect((await t.api('GET', '/numbers.json?afid=del')).body).toEqual([]);
    const row = await t.app.store.db
      .selectFrom('numbers')
      .select('deleted_at')
      .where('id', '=', n.id)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).toBe(t.clock.now());
  });

  it("hides another company's numbers (404) and refuses its campaigns", async () => {
    const other = await t.addTenant();
    await t.api('POST', '/campaigns.json', { campaign: { cid: 'theirs' } }, { key: other.key });
    const theirs = await t.api(
      'POST',
      '/numbers.json',
      { number: { afid: 'a', cid: 'theirs' } },
      { key: other.key },
    );
    expect(theirs.status).toBe(201);
    const id = theirs.body.number.id;
    expect((await t.api('GET', `/numbers/${id}.json`)).status).toBe(404);
    expect((await t.api('PUT', `/numbers/${id}.json`, { number: { sid: 'x' } })).status).toBe(404);
    expect((await t.api('DELETE', `/numbers/${id}.json`)).status).toBe(404);
    expectBadRequest(await t.api('POST', '/numbers.json', { number: { afid: 'a', cid: 'theirs' } }), 'cid');
    expect(
      (await t.api('GET', '/numbers.json', undefined, { key: other.key })).body.map((x: any) => x.number.id),
    ).toEqual([id]);
  });
});
