import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const seedBody = (cid: string) => ({
  campaign: {
    cid,
    name: 'MyCampaign',
    message: 'Thanks for calling, please press one to continue.',
    voice_gender: 'Male',
    timers_attributes: [
      { seconds: 0, url: 'http://callpixels.com/click.html' },
      { seconds: 90, url: 'http://callpixels.com/sale.html' },
    ],
    menu_options_attributes: [{ option: '1', target_number: '(647) 457-0424' }],
  },
});

const count = async (table: 'campaigns' | 'timers' | 'menu_options' | 'audio_files') =>
  Number(
    (
      await t.app.store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const create = async (body: object) => {
  const res = await t.api('POST', '/campaigns.json', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.campaign;
};

function expectBadRequest(res: { status: number; body: any }, field?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.status).toBe(400);
  expect(typeof res.body.error).toBe('string');
  if (field) expect(Object.keys(res.body.errors ?? {}), JSON.stringify(res.body)).toContain(field);
}

function multipart(
  fields: Record<string, string>,
  file: { name: string; filename: string; type: string; data: Buffer },
) {
  const boundary = 'sbboundary7MA4YWxk';
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  chunks.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return {
    rawBody: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('Campaigns: create and read', () => {
  it("creates the seed's campaign and returns every documented field", async () => {
    const c = await create(seedBody('0044'));
    expect(c).toMatchObject({
      cid: '0044',
      name: 'MyCampaign',
      record_calls: true,
      record_seconds: 3600,
      dedupe_seconds: 0,
      affiliate_can_pull_number: false,
      greeting: { message: 'Thanks for calling, please press one to continue.', voice_gender: 'Male' },
      repeat: 4,
    });
    expect(Number.isInteger(c.id)).toBe(true);
    expect(c.show_key).toMatch(/^[0-9a-f]{32}$/);
    expect(new Date(c.created_at).getTime()).toBe(t.clock.now());
    expect(c.updated_at).toBe(c.created_at);
    expect(c.timers.map((x: any) => [x.timer.seconds, x.timer.url])).toEqual([
      [0, 'http://callpixels.com/click.html'],
      [90, 'http://callpixels.com/sale.html'],
    ]);
    expect(c.timers.every((x: any) => Number.isInteger(x.timer.id))).toBe(true);
    expect(c.menu_options).toEqual([
      {
        menu_option: {
          id: c.menu_options[0].menu_option.id,
          option: '1',
          target_cid: null,
          target_number: '+16474570424',
          target_ids: [],
          target_group_ids: [],
        },
      },
    ]);
  });

  it('applies the documented defaults and draws a random 8-character cid and show key', async () => {
    const a = await create({ campaign: {} });
    const b = await create({});
    expect(a.cid).toMatch(/^[a-z0-9]{8}$/);
    expect(b.cid).not.toBe(a.cid);
    expect(b.show_key).not.toBe(a.show_key);
    expect(a).toMatchObject({
      name: null,
      record_calls: true,
      record_seconds: 3600,
      dedupe_seconds: 0,
      affiliate_can_pull_number: false,
      greeting: { message: null, voice_gender: 'Male' },
      repeat: 4,
      timers: [],
      menu_options: [],
    });
  });

  it('stores every settable field', async () => {
    const c = await create({
      campaign: {
        cid: 'all-fields',
        record_calls: false,
        record_seconds: 120,
        dedupe_seconds: 86400,
        affiliate_can_pull_number: true,
        repeat: 2,
        voice_gender: 'female',
      },
    });
    expect(c).toMatchObject({
      record_calls: false,
      record_seconds: 120,
      dedupe_seconds: 86400,
      affiliate_can_pull_number: true,
      repeat: 2,
    });
    expect(c.greeting.voice_gender).toBe('Female');
  });

  it("turns the company's default click and sale URLs into 0 s and 90 s timers", async () => {
    const click = 'https://track.example/click?c=[campaign_id]';
    const sale = 'https://track.example/sale?c=[campaign_id]';
    await t.app.store.db
      .updateTable('companies')
      .set({ default_click_url: click, default_sale_url: sale })
      .where('id', '=', t.companyId)
      .execute();
    try {
      const c = await create({ campaign: { cid: 'defaults-timers' } });
      expect(c.timers.map((x: any) => [x.timer.seconds, x.timer.url])).toEqual([
        [0, click],
        [90, sale],
      ]);
      const explicit = await create({ campaign: { cid: 'explicit-timers', timers_attributes: [] } });
      expect(explicit.timers).toEqual([]);
    } finally {
      await t.app.store.db
        .updateTable('companies')
        .set({ default_click_url: null, default_sale_url: null })
        .where('id', '=', t.companyId)
        .execute();
    }
  });

  it('gets by cid and by internal id', async () => {
    const byCid = await t.api('GET', '/campaigns/cid/0044.json');
    expect(byCid.status).toBe(200);
    const byId = await t.api('GET', `/campaigns/${byCid.body.campaign.id}.json`);
    expect(byId.body).toEqual(byCid.body);
  });

  it('renders XML with dasherized elements and typed arrays', async () => {
    const xml = await t.api('GET', '/campaigns/cid/0044.xml');
    expect(xml.headers['content-type']).toContain('text/xml');
    expect(xml.text).toContain('<record-calls type="boolean">true</record-calls>');
    expect(xml.text).toContain('<record-seconds type="integer">3600</record-seconds>');
    expect(xml.text).toContain('<affiliate-can-pull-number type="boolean">false</affiliate-can-pull-number>');
    expect(xml.text).toContain('<voice-gender>Male</voice-gender>');
    expect(xml.text).toMatch(
      /<timers type="array">\s*<timer>\s*<id type="integer">\d+<\/id>\s*<seconds type="integer">0<\/seconds>/,
    );
    expect(xml.text).toMatch(/<menu-options type="array">\s*<menu-option>/);
    expect(xml.text).toContain('<target-cid nil="true"></target-cid>');
    expect(xml.text).toContain('<target-number>+16474570424</target-number>');
    expect(xml.text).toMatch(/<created-at type="datetime">\d{4}-/);
  });

  it('lists in JSON and as an XML array', async () => {
    const json = await t.api('GET', '/campaigns.json');
    expect(json.body.map((x: any) => x.campaign.cid)).toContain('0044');
    const xml = await t.api('GET', '/campaigns.xml');
    expect(xml.text).toContain('<campaigns type="array">');
    expect(xml.text).toMatch(/<campaign>\s*<id type="integer">/);
  });

  it('accepts an XML request body', async () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<campaign>
  <cid>xml-1</cid>
  <name>From XML</name>
  <record-calls type="boolean">false</record-calls>
  <dedupe-seconds type="integer">60</dedupe-seconds>
  <timers-attributes type="array">
    <timers-attribute><seconds type="integer">30</seconds><url>http://x.example/t</url></timers-attribute>
  </timers-attributes>
  <menu-options-attributes type="array">
    <menu-options-attribute><option>2</option><target-number>+18667878878</target-number></menu-options-attribute>
  </menu-options-attributes>
</campaign>`;
    const res = await t.api('POST', '/campaigns.xml', undefined, {
      rawBody: body,
      headers: { 'content-type': 'text/xml' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.text).toContain('<cid>xml-1</cid>');
    const json = (await t.api('GET', '/campaigns/cid/xml-1.json')).body.campaign;
    expect(json).toMatchObject({ name: 'From XML', record_calls: false, dedupe_seconds: 60 });
    expect(json.timers[0].timer).toMatchObject({ seconds: 30, url: 'http://x.example/t' });
    expect(json.menu_options[0].menu_option).toMatchObject({ option: '2', target_number: '+18667878878' });
  });

  it('accepts form-encoded nested attributes', async () => {
    const form =
      'campaign[cid]=form-1&campaign[timers_attributes][0][seconds]=5&campaign[timers_attributes][0][url]=http://f.example/a&campaign[menu_option_attributes][0][option]=%23';
    const res = await t.api('POST', '/campaigns.json', undefined, {
      rawBody: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.campaign.timers[0].timer).toMatchObject({ seconds: 5, url: 'http://f.example/a' });
    expect(res.body.campaign.menu_options[0].menu_option.option).toBe('#');
  });

  it('pages lists of 26+ campaigns with a Link header', async () => {
    const have = Number((await t.api('GET', '/campaigns.json')).headers['x-total-count']);
    for (let i = have; i < 27; i++) await create({ campaign: { cid: `page-${i}` } });
    const first = await t.api('GET', '/campaigns.json');
    expect(first.body).toHaveLength(25);
    expect(String(first.headers.link)).toContain('rel="next"');
    expect(String(first.headers.link)).toMatch(/page=2>; rel="last"/);
    const second = await t.api('GET', '/campaigns.json?page=2');
    expect(second.body.length).toBe(Number(first.headers['x-total-count']) - 25);
    expect(second.body[0].campaign.id).toBeGreaterThan(first.body[24].campaign.id);
  });
});

describe('Campaigns: greeting audio', () => {
  it('takes an audio file as multipart/form-data', async () => {
    const audio = Buffer.from('fLaC\x00\x00\x00\x22fake audio bytes', 'binary');
    const mp = multipart(
      { 'campaign[cid]': 'audio-mp', 'campaign[repeat]': '3' },
      { name: 'campaign[message_file]', filename: 'greeting.flac', type: 'audio/flac', data: audio },
    );
    const res = await t.api('POST', '/campaigns.json', undefined, mp);
    expect(res.status, res.text).toBe(201);
    expect(res.body.campaign.repeat).toBe(3);
    expect(res.body.campaign.greeting).toEqual({
      audio_file_name: 'greeting.flac',
      audio_file_content_type: 'audio/flac',
      audio_file_size: audio.length,
      audio_file_updated_at: new Date(t.clock.now()).toISOString(),
    });
    const row = await t.app.store.db
      .selectFrom('audio_files')
      .selectAll()
      .where('file_name', '=', 'greeting.flac')
      .executeTakeFirstOrThrow();
    expect(Buffer.from(row.data).equals(audio)).toBe(true);
  });

  it('takes a Base64 audio file, and a spoken message replaces it', async () => {
    const audio = Buffer.from('ID3 pretend mp3 content');
    const before = await count('audio_files');
    const c = await create({
      campaign: {
        cid: 'audio-b64',
        message_file_b64_data: audio.toString('base64'),
        message_file_b64_filename: 'memo.mp3',
      },
    });
    expect(c.greeting).toMatchObject({
      audio_file_name: 'memo.mp3',
      audio_file_content_type: 'application/octet-stream',
      audio_file_size: audio.length,
    });
    expect(await count('audio_files')).toBe(before + 1);
    const xml = await t.api('GET', '/campaigns/cid/audio-b64.xml');
    expect(xml.text).toContain(`<audio-file-size type="integer">${audio.length}</audio-file-size>`);
    const spoken = await t.api('PUT', '/campaigns/cid/audio-b64.json', {
      campaign: { message: 'Hello', voice_gender: 'Female' },
    });
    expect(spoken.body.campaign.greeting).toEqual({ message: 'Hello', voice_gender: 'Female' });
    expect(await count('audio_files')).toBe(before);
  });

  it('message: null clears the greeting, audio file included', async () => {
    const data = Buffer.from('some audio').toString('base64');
    await create({
      campaign: { cid: 'audio-clear', message_file_b64_data: data, message_file_b64_filename: 'x.wav' },
    });
    const before = await count('audio_files');
    const res = await t.api('PUT', '/campaigns/cid/audio-clear.json', { campaign: { message: null } });
    expect(res.body.campaign.greeting).toEqual({ message: null, voice_gender: 'Male' });
    expect(await count('audio_files')).toBe(before - 1);
  });

  it('rejects invalid Base64, a missing file name and both kinds of greeting at once', async () => {
    const before = await count('campaigns');
    expectBadRequest(
      await t.api('POST', '/campaigns.json', {
        campaign: { message_file_b64_data: 'not*base64!', message_file_b64_filename: 'a.mp3' },
      }),
      'message_file_b64_data',
    );
    expectBadRequest(
      await t.api('POST', '/campaigns.json', { campaign: { message_file_b64_data: 'AAAA' } }),
      'message_file_b64_filename',
    );
    expectBadRequest(
      await t.api('POST', '/campaigns.json', {
        campaign: { message: 'hi', message_file_b64_data: 'AAAA', message_file_b64_filename: 'a.wav' },
      }),
      'message',
    );
    expectBadRequest(
      await t.api('POST', '/campaigns.json', { campaign: { voice_gender: 'Robot' } }),
      'voice_gender',
    );
    expect(await count('campaigns')).toBe(before);
  });
});

describe('Campaigns: update and nested attributes', () => {
  it('changes only the attributes passed in and moves updated_at', async () => {
    await t.clock.advance(60_000);
    const res = await t.api('PUT', '/campaigns/cid/0044.json', { campaign: { name: 'My Other Campaign' } });
    expect(res.status).toBe(200);
    const c = res.body.campaign;
    expect(c.name).toBe('My Other Campaign');
    expect(c.greeting.message).toBe('Thanks for calling, please press one to continue.');
    expect(c.timers).toHaveLength(2);
    expect(new Date(c.updated_at).getTime()).toBe(t.clock.now());
    expect(new Date(c.created_at).getTime()).toBe(t.clock.now() - 60_000);
  });

  it('updates nested items by id, adds those without, removes with _destroy', async () => {
    const c = await create(seedBody('nested-1'));
    const [click, sale] = c.timers.map((x: any) => x.timer.id);
    const res = await t.api('PUT', `/campaigns/${c.id}.json`, {
      campaign: {
        timers_attributes: [
          { id: click, url: 'https://new.example/click' },
          { id: sale, _destroy: true },
          { seconds: -5, url: 'http://neg.example' },
        ],
        menu_option_attributes: [{ option: '*', target_cid: 'nested-1' }],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const timers = res.body.campaign.timers.map((x: any) => x.timer);
    expect(timers).toEqual([
      { id: click, seconds: 0, url: 'https://new.example/click' },
      { id: expect.any(Number), seconds: -5, url: 'http://neg.example' },
    ]);
    expect(res.body.campaign.menu_options.map((x: any) => x.menu_option.option)).toEqual(['1', '*']);
  });

  it('destroy_nested replaces every existing timer and menu option', async () => {
    const c = await create(seedBody('nested-2'));
    const res = await t.api('PUT', '/campaigns/cid/nested-2.json', {
      campaign: { destroy_nested: true, timers_attributes: [{ seconds: 10, url: 'http://only.example' }] },
    });
    expect(res.body.campaign.timers.map((x: any) => x.timer.url)).toEqual(['http://only.example']);
    expect(res.body.campaign.timers[0].timer.id).not.toBe(c.timers[0].timer.id);
    expect(res.body.campaign.menu_options).toEqual([]);
  });

  it('accepts a GET representation back (read-only fields and wrapped items)', async () => {
    const got = (await t.api('GET', '/campaigns/cid/nested-1.json')).body.campaign;
    const res = await t.api('PUT', '/campaigns/cid/nested-1.json', {
      campaign: { ...got, name: 'Round trip', timers_attributes: got.timers, timers: undefined },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.campaign.timers).toEqual(got.timers);
    expect(res.body.campaign.name).toBe('Round trip');
  });

  it('refuses a nested id of another campaign and writes nothing', async () => {
    const other = await create(seedBody('nested-3'));
    const mine = (await t.api('GET', '/campaigns/cid/nested-2.json')).body.campaign;
    const res = await t.api('PUT', '/campaigns/cid/nested-2.json', {
      campaign: {
        name: 'should not stick',
        timers_attributes: [{ id: other.timers[0].timer.id, seconds: 1 }],
      },
    });
    expectBadRequest(res, 'timers_attributes.0.id');
    expect((await t.api('GET', '/campaigns/cid/nested-2.json')).body.campaign).toEqual(mine);
    expect((await t.api('GET', '/campaigns/cid/nested-3.json')).body.campaign.timers).toEqual(other.timers);
  });

  it('renames a cid and menu options that target it follow', async () => {
    await create({ campaign: { cid: 'target-a' } });
    await create({
      campaign: { cid: 'router', menu_options_attributes: [{ option: '3', target_cid: 'target-a' }] },
    });
    expect(
      (await t.api('PUT', '/campaigns/cid/target-a.json', { campaign: { cid: 'target-b' } })).status,
    ).toBe(200);
    const router = (await t.api('GET', '/campaigns/cid/router.json')).body.campaign;
    expect(router.menu_options[0].menu_option.target_cid).toBe('target-b');
    expect((await t.api('GET', '/campaigns/cid/target-a.json')).status).toBe(404);
  });

  it('answers 404 for an unknown cid or id', async () => {
    expect((await t.api('GET', '/campaigns/cid/never-made.json')).status).toBe(404);
    expect((await t.api('GET', '/campaigns/999999.json')).status).toBe(404);
    expect((await t.api('PUT', '/campaigns/cid/never-made.json', { campaign: { name: 'x' } })).status).toBe(
      404,
    );
  });

  it('refuses the same nested id twice in one request', async () => {
    const c = (await t.api('GET', '/campaigns/cid/nested-1.json')).body.campaign;
    const id = c.timers[0].timer.id;
    const res = await t.api('PUT', '/campaigns/cid/nested-1.json', {
      campaign: {
        timers_attributes: [
          { id, seconds: 1 },
          { id, seconds: 2 },
        ],
      },
    });
    expectBadRequest(res, 'timers_attributes.1.id');
  });

  it('refuses a cid that is taken', async () => {
    expectBadRequest(await t.api('POST', '/campaigns.json', { campaign: { cid: '0044' } }), 'cid');
    expectBadRequest(await t.api('PUT', '/campaigns/cid/router.json', { campaign: { cid: '0044' } }), 'cid');
  });
});

describe('Campaigns: bad input', () => {
  const cases: [string, object, string][] = [
    ['a wrong type', { record_calls: 'maybe' }, 'record_calls'],
    ['an unknown field', { colour: 'red' }, 'colour'],
    ['a negative dedupe window', { dedupe_seconds: -1 }, 'dedupe_seconds'],
    [
      'a bad phone number',
      { menu_options_attributes: [{ option: '1', target_number: '12' }] },
      'menu_options_attributes.0.target_number',
    ],
    [
      'a bad SIP URI',
      { menu_options_attributes: [{ option: '1', target_number: 'sip:nohost' }] },
      'menu_options_attributes.0.target_number',
    ],
    ['a bad option key', { menu_options_attributes: [{ option: '11' }] }, 'menu_options_attributes.0.option'],
    [
      'a missing option key',
      { menu_options_attributes: [{ target_number: '+18667878878' }] },
      'menu_options_attributes.0.option',
    ],
    [
      'a repeated option key',
      { menu_options_attributes: [{ option: '1' }, { option: '1' }] },
      'menu_options_attributes',
    ],
    [
      'an unknown target_cid',
      { menu_options_attributes: [{ option: '1', target_cid: 'nope' }] },
      'menu_options_attributes',
    ],
    [
      'a non-http URL',
      { timers_attributes: [{ seconds: 0, url: 'ftp://x.example/a' }] },
      'timers_attributes.0.url',
    ],
    [
      'a URL that is not one',
      { timers_attributes: [{ seconds: 0, url: 'just words' }] },
      'timers_attributes.0.url',
    ],
    [
      'a timer without seconds',
      { timers_attributes: [{ url: 'http://x.example' }] },
      'timers_attributes.0.seconds',
    ],
    [
      'a timer with fractional seconds',
      { timers_attributes: [{ seconds: 1.5, url: 'http://x.example' }] },
      'timers_attributes.0.seconds',
    ],
    [
      'an unknown nested field',
      { timers_attributes: [{ seconds: 1, url: 'http://x.example', colour: 1 }] },
      'timers_attributes.0.colour',
    ],
  ];
  it.each(cases)('answers 400 for %s, writing nothing', async (_label, campaign, field) => {
    const before = await Promise.all([count('campaigns'), count('timers'), count('menu_options')]);
    expectBadRequest(
      await t.api('POST', '/campaigns.json', { campaign: { cid: 'bad-one', ...campaign } }),
      field,
    );
    expect(await Promise.all([count('campaigns'), count('timers'), count('menu_options')])).toEqual(before);
  });

  it('accepts SIP URIs and sip targets, and normalizes numbers to E.164', async () => {
    const c = await create({
      campaign: {
        menu_options_attributes: [
          { option: '0', target_number: 'sip:agent@pbx.example.com' },
          { option: '9', target_number: '1-866-787-8878' },
        ],
      },
    });
    expect(c.menu_options.map((x: any) => x.menu_option.target_number)).toEqual([
      'sip:agent@pbx.example.com',
      '+18667878878',
    ]);
  });

  it('answers 400 for a failing update without touching the campaign', async () => {
    const before = (await t.api('GET', '/campaigns/cid/0044.json')).body;
    expectBadRequest(
      await t.api('PUT', '/campaigns/cid/0044.json', {
        campaign: { name: 'x', message: 'y', timers_attributes: [{ seconds: 1, url: 'bad' }] },
      }),
      'timers_attributes.0.url',
    );
    expect((await t.api('GET', '/campaigns/cid/0044.json')).body).toEqual(before);
  });
});

describe('Campaigns: deletion and tenancy', () => {
  it('refuses to delete a campaign with numbers, then deletes it once they are gone (410 after)', async () => {
    await create({ campaign: { cid: 'with-number' } });
    const num = await t.api('POST', '/numbers.json', { number: { cid: 'with-number', afid: 'del-aff' } });
    expect(num.status).toBe(201);
    const refused = await t.api('DELETE', '/campaigns/cid/with-number.json');
    expectBadRequest(refused);
    expect(refused.body.error).toMatch(/still has Numbers/);
    expect((await t.api('GET', '/campaigns/cid/with-number.json')).status).toBe(200);
    await t.api('DELETE', `/numbers/${num.body.number.id}.json`);
    const deleted = await t.api('DELETE', '/campaigns/cid/with-number.json');
    expect(deleted.status).toBe(200);
    expect(deleted.body.campaign.cid).toBe('with-number');
    const gone = await t.api('GET', '/campaigns/cid/with-number.json');
    expect(gone.status).toBe(410);
    expect((await t.api('GET', `/campaigns/${deleted.body.campaign.id}.json`)).status).toBe(410);
    await create({ campaign: { cid: 'with-number' } });
  });

  it('refuses to delete a campaign with a number pool or one other menus send callers to', async () => {
    await create({ campaign: { cid: 'with-pool' } });
    await t.api('POST', '/number_pools.json', { number_pool: { cid: 'with-pool' } });
    expect((await t.api('DELETE', '/campaigns/cid/with-pool.json')).body.error).toMatch(/Number Pools/);
    expect((await t.api('DELETE', '/campaigns/cid/target-b.json')).body.error).toMatch(/target_cid/);
  });

  it("hides another company's campaigns (404) and refuses them as targets", async () => {
    const other = await t.addTenant();
    const theirs = await t.api(
      'POST',
      '/campaigns.json',
      { campaign: { cid: 'theirs' } },
      { key: other.key },
    );
    expect(theirs.status).toBe(201);
    expect((await t.api('GET', '/campaigns/cid/theirs.json')).status).toBe(404);
    expect((await t.api('GET', `/campaigns/${theirs.body.campaign.id}.json`)).status).toBe(404);
    expect((await t.api('PUT', '/campaigns/cid/theirs.json', { campaign: { name: 'x' } })).status).toBe(404);
    expect((await t.api('DELETE', `/campaigns/${theirs.body.campaign.id}.json`)).status).toBe(404);
    expectBadRequest(
      await t.api('POST', '/campaigns.json', {
        campaign: { menu_options_attributes: [{ option: '1', target_cid: 'theirs' }] },
      }),
    );
    const list = await t.api('GET', '/campaigns.json', undefined, { key: other.key });
    expect(list.body.map((x: any) => x.campaign.cid)).toEqual(['theirs']);
    // The same cid is free in each company.
    expect(
      (await t.api('POST', '/campaigns.json', { campaign: { cid: '0044' } }, { key: other.key })).status,
    ).toBe(201);
  });
});
