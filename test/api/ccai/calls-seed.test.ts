import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../helpers/app.js';
import { agent, type CcaiClient, ccaiClient, ccaiTestApp } from './helpers.js';

/**
 * Every request example of the seed's Calls API section, each documented refusal with its status and
 * its words per call type. Menu ids are this fixture's (the seed's 9 is `ivr`, its 50 `web`), and
 * scheduled times are in the future of the test clock; docs/ccai.md lists where a seed example's body
 * contradicts its own answer and what is tested instead.
 */
let t: TestApp;
let c: CcaiClient;
const ids = {} as Record<
  'agent' | 'admin' | 'allen' | 'ivr' | 'web' | 'mobile' | 'redirect' | 'closed',
  number
>;
const FUTURE = '2025-01-07T15:00:00.000Z';

const post = (body: Record<string, unknown>) => c.call('POST', '/apps/api/v1/calls', body);
const menu = async (body: Record<string, unknown>) => {
  const res = await c.call('POST', '/apps/api/v1/menus', body);
  expect(res.status, res.text).toBe(201);
  return res.body.id as number;
};
const setAgent = (id: number, user: Record<string, unknown>) => t.api('PUT', `/users/${id}.json`, { user });

async function refused(body: Record<string, unknown>, message: string) {
  const res = await post(body);
  expect(res.status, res.text).toBe(400);
  expect(res.body).toEqual({ message });
}

beforeAll(async () => {
  t = await ccaiTestApp();
  c = await ccaiClient(t);
  for (const number of ['+1 339-219-5276', '+1 760-867-5309'])
    await c.call('POST', '/apps/api/v1/outbound_numbers', { number });
  ids.agent = await agent(t, { email: 'agent@somedomain.com', phone_number: '+12055550101' });
  ids.admin = await agent(t, {
    email: 'admin@somedomain.com',
    first_name: 'Admin',
    last_name: 'UJET',
    phone_number: '+12055550102',
  });
  ids.allen = await agent(t, { email: 'allen@somedomain.com', phone_number: '+12055550103' });
  ids.ivr = await menu({
    name: 'Lock Star',
    menu_type: 'ivr_menu',
    output_msg: 'You selected Lock Star.',
    agent_ids: [ids.agent],
  });
  ids.web = await menu({ name: 'Web', menu_type: 'web_menu', agent_ids: [ids.agent] });
  ids.mobile = await menu({ name: 'Mobile', menu_type: 'mobile_menu', agent_ids: [ids.agent] });
  ids.redirect = await menu({ name: 'Redirected', menu_type: 'mobile_menu', manual_redirection: true });
  // A schedule with no interval: after hours at every moment.
  ids.closed = await menu({
    name: 'Closed',
    menu_type: 'mobile_menu',
    hours: { time_zone: 'UTC', schedule: [] },
  });
  await c.call('POST', '/apps/api/v1/end_users', { ticket_id: '71450', phone_number: '+1 859-657-9625' });
  await c.call('POST', '/apps/api/v1/end_users', { ticket_id: '76517', phone_number: '+1 859-657-9626' });
});
afterAll(() => t.close());

describe('POST /apps/api/v1/calls — Voice Outbound (API)', () => {
  it('201: creates an outbound call with end_user_number (assigned, both participants waiting)', async () => {
    const res = await post({
      call_type: 'Voice Outbound (API)',
      agent_email: 'admin@somedomain.com',
      end_user_number: '+1 859-657-9625',
      outbound_number: '+1 339-219-5276',
      lang: 'en',
    });
    expect(res.status, res.text).toBe(201);
    const now = new Date(t.clock.now()).toISOString();
    expect(res.body).toMatchObject({
      lang: 'en',
      call_type: 'Voice Outbound (API)',
      status: 'assigned',
      created_at: now,
      queued_at: null,
      assigned_at: now,
      connected_at: null,
      ends_at: null,
      scheduled_at: null,
      wait_duration: 0,
      call_duration: 0,
      hold_duration: 0,
      rating: null,
      has_feedback: false,
      out_ticket_id: null,
      verified: false,
      recording_url: null,
      recording_permission: 'not_asked',
      voicemail_reason: 'not_voicemail',
      deflection: 'no_deflection',
      disconnected_by: 'disconnected_by_unknown',
      fail_reason: 'nothing',
      fail_details: null,
      selected_menu: null,
      menu_path: null,
      agent_info: {
        id: ids.admin,
        name: 'Admin UJET',
        first_name: 'Admin',
        last_name: 'UJET',
        agent_number: null,
      },
      end_user: null,
      photos: [],
      videos: [],
      transfers: [],
      deflection_details: [],
      offer_type: null,
      offer_events: [],
      answer_type: 'manual',
      outbound_number: '+1 339 219 5276',
    });
    expect(res.body.participants).toEqual([
      expect.objectContaining({
        type: 'agent',
        status: 'waiting',
        call_id: res.body.id,
        user_id: ids.admin,
        end_user_id: null,
        fail_reason: 'nothing',
        call_duration: null,
      }),
      expect.objectContaining({
        type: 'end_user',
        status: 'waiting',
        call_id: res.body.id,
        user_id: null,
        end_user_id: null,
      }),
    ]);
  });

  it('201: creates an outbound call with ticket_id (the ticket wins; its end user is shown)', async () => {
    const res = await post({
      call_type: 'Voice Outbound (API)',
      agent_email: 'agent@somedomain.com',
      ticket_id: '71450',
      end_user_number: '+1 205-123-4567',
      outbound_number: '+1 339-219-5276',
      lang: 'en',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.out_ticket_id).toBe('71450');
    expect(res.body.end_user).toMatchObject({ out_contact_id: '71450' });
    expect(res.body.participants[1]).toMatchObject({ type: 'end_user', end_user_id: res.body.end_user.id });
    // The ticket's number was dialed, not end_user_number (once the agent answers).
    const row = await t.app.store.db
      .selectFrom('ccai_calls')
      .selectAll()
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(row.end_user_number).toBe('+18596579625');
  });

  it('takes the deprecated OutboundCall and shows the current name', async () => {
    const res = await post({
      call_type: 'OutboundCall',
      agent_email: 'agent@somedomain.com',
      end_user_number: '+1 859-657-9625',
    });
    expect(res.status).toBe(201);
    expect(res.body.call_type).toBe('Voice Outbound (API)');
    expect(res.body.lang).toBe('en');
  });

  it('400 Agent is not available to take this call', async () => {
    await setAgent(ids.agent, { status: 'unavailable' });
    try {
      await refused(
        {
          call_type: 'Voice Outbound (API)',
          agent_email: 'agent@somedomain.com',
          end_user_number: '+1 205-123-4567',
          lang: 'en',
        },
        'Agent is not available to take this call',
      );
    } finally {
      await setAgent(ids.agent, { status: 'available' });
    }
  });

  it('400 ticket_id or end_user_number required', async () => {
    await refused(
      { call_type: 'Voice Outbound (API)', agent_email: 'allen@somedomain.com', lang: 'en' },
      'ticket_id or end_user_number required',
    );
  });

  it('400 Not a valid agent email (no such user in this company)', async () => {
    const other = await t.addTenant();
    const theirs = await ccaiClient(t, other.key);
    const res = await theirs.call('POST', '/apps/api/v1/calls', {
      call_type: 'Voice Outbound (API)',
      agent_email: 'admin@somedomain.com',
      end_user_number: '+1 205-123-4567',
      lang: 'en',
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: 'Not a valid agent email' });
  });

  it('400 Agent email required', async () => {
    await refused(
      { call_type: 'Voice Outbound (API)', end_user_number: '+1 205-123-4567', lang: 'en' },
      'Agent email required',
    );
  });

  it('400 Agent does not have access to make calls', async () => {
    await setAgent(ids.allen, { can_make_calls: false });
    try {
      await refused(
        {
          call_type: 'Voice Outbound (API)',
          agent_email: 'allen@somedomain.com',
          end_user_number: '+1 205-123-4567',
          lang: 'en',
        },
        'Agent does not have access to make calls',
      );
    } finally {
      await setAgent(ids.allen, { can_make_calls: true });
    }
  });

  it('400 end_user_number is not well-formed (with a hyphen, as outbound writes it)', async () => {
    await refused(
      {
        call_type: 'Voice Outbound (API)',
        agent_email: 'allen@somedomain.com',
        outbound_number: '+1 760-410-8538',
        end_user_number: '123123',
        lang: 'en',
      },
      'end_user_number is not well-formed',
    );
  });

  it('400 Contact not found', async () => {
    await refused(
      {
        call_type: 'Voice Outbound (API)',
        agent_email: 'allen@somedomain.com',
        outbound_number: '+1 760-410-8538',
        ticket_id: 1,
        lang: 'en',
      },
      'Contact not found',
    );
  });

  it('400 Language is not found', async () => {
    await refused(
      {
        call_type: 'Voice Outbound (API)',
        agent_email: 'allen@somedomain.com',
        end_user_number: '+1 205-123-4567',
        lang: 'xy',
      },
      "Language 'xy' is not found",
    );
  });

  it('202 when there is no default outbound number and several to choose from (nothing is placed)', async () => {
    const numbers = (await c.call('GET', '/apps/api/v1/outbound_numbers')).body;
    const def = numbers.find((n: any) => n.default);
    await c.call('PATCH', `/apps/api/v1/outbound_numbers/${def.id}`, { default: false });
    try {
      const before = (await c.call('GET', '/apps/api/v1/calls?per=100')).body.length;
      for (const body of [
        {
          call_type: 'Voice Outbound (API)',
          agent_email: 'admin@somedomain.com',
          end_user_number: '+1 859-657-9625',
          lang: 'en',
        },
        {
          call_type: 'Voice Outbound (API)',
          agent_email: 'allen@somedomain.com',
          end_user_number: '+1 205-123-4567',
          lang: 'en',
        },
      ]) {
        const res = await post(body);
        expect(res.status, res.text).toBe(202);
        expect(res.body).toEqual(body);
      }
      expect((await c.call('GET', '/apps/api/v1/calls?per=100')).body.length).toBe(before);
      // Naming a number of the company places the call.
      const named = await post({
        call_type: 'Voice Outbound (API)',
        agent_email: 'allen@somedomain.com',
        end_user_number: '+1 205-123-4567',
        outbound_number: '+1 760-867-5309',
      });
      expect(named.status).toBe(201);
      expect(named.body.outbound_number).toBe('+1 760 867 5309');
    } finally {
      await c.call('PATCH', `/apps/api/v1/outbound_numbers/${def.id}`, { default: true });
    }
  });

  it('400 Invalid call type', async () => {
    await refused(
      {
        call_type: 'InvalidCallType',
        agent_email: 'allen@somedomain.com',
        end_user_number: '+1 205-123-4567',
      },
      'Invalid call type',
    );
    await refused(
      { agent_email: 'allen@somedomain.com', end_user_number: '+1 205-123-4567' },
      'Invalid call type',
    );
  });
});

const incoming = (extra: Record<string, unknown> = {}) => ({
  call_type: 'Voice Inbound (API)',
  lang: 'en',
  menu_id: ids.ivr,
  end_user_number: '+1 859-657-9625',
  recording_permission: 'recording_permission_granted',
  ...extra,
});

describe('POST /apps/api/v1/calls — Voice Inbound (API)', () => {
  it('201: creates an incoming call with end_user_number (queued to the menu, cascade)', async () => {
    const res = await post(incoming({ end_user_number: '+82-10-6861-2345' }));
    expect(res.status, res.text).toBe(201);
    const now = new Date(t.clock.now()).toISOString();
    expect(res.body).toMatchObject({
      call_type: 'Voice Inbound (API)',
      status: 'queued',
      queued_at: now,
      assigned_at: null,
      scheduled_at: null,
      recording_permission: 'granted',
      selected_menu: {
        id: ids.ivr,
        name: 'Lock Star',
        parent_id: null,
        position: 0,
        deleted: false,
        menu_type: 'ivr_menu',
        output_msg: 'You selected Lock Star.',
        hidden: false,
      },
      menu_path: { items_count: 1, name: 'Lock Star', materialized_path: String(ids.ivr) },
      agent_info: null,
      end_user: { id: expect.any(Number), identifier: null, out_contact_id: null },
      offer_type: 'cascade',
      offer_events: [{ casting_time: now, group: 'Group 1' }],
      outbound_number: '+1 339 219 5276',
    });
    expect(res.body.participants[0]).toMatchObject({
      type: 'end_user',
      status: 'waiting',
      end_user_id: res.body.end_user.id,
    });
  });

  it('201: creates an incoming call with ticket_id', async () => {
    const res = await post(incoming({ ticket_id: '76517' }));
    expect(res.status, res.text).toBe(201);
    expect(res.body.out_ticket_id).toBe('76517');
    expect(res.body.end_user.out_contact_id).toBe('76517');
  });

  it('takes the deprecated IncomingCall', async () => {
    const res = await post(incoming({ call_type: 'IncomingCall' }));
    expect(res.status).toBe(201);
    expect(res.body.call_type).toBe('Voice Inbound (API)');
  });

  it.each([
    ['end_user_number is not well formed', { end_user_number: '+1 999-657-12' }],
    ['Invalid call type', { call_type: 'InvalidCallType' }],
    ['menu_id is required', { menu_id: undefined }],
    ['Only IVR and mobile menu IDs are permitted', { menu_id: 'web' }],
    ["Language 'fr' is not available", { lang: 'fr' }],
    ["Language 'xy' is not found", { lang: 'xy' }],
    ['menu_id 9999 is not found', { menu_id: 9999 }],
    ['menu_id is not well formed', { menu_id: 'menu_999' }],
    ['end_user_number is required', { end_user_number: undefined }],
    ["Menu is in 'manual redirection' state, can't accept calls", { menu_id: 'redirect' }],
    ["Menu is in 'after hours' state, can't accept incoming calls", { menu_id: 'closed' }],
  ])('400 %s', async (message, extra) => {
    const body: Record<string, unknown> = incoming(extra);
    if (typeof body.menu_id === 'string' && body.menu_id in ids) body.menu_id = ids[body.menu_id as 'web'];
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    await refused(body, message);
  });

  it('400 recording_permission is not valid', async () => {
    await refused(incoming({ recording_permission: 'maybe' }), 'recording_permission is not valid');
  });
});

const scheduled = (extra: Record<string, unknown> = {}) => ({
  call_type: 'Voice Scheduled (API)',
  lang: 'en',
  menu_id: ids.mobile,
  end_user_number: '+1 859-657-9625',
  scheduled_at: FUTURE,
  recording_permission: 'recording_permission_granted',
  ...extra,
});

describe('POST /apps/api/v1/calls — Voice Scheduled (API)', () => {
  it('201: creates a scheduled call with menu ID (scheduled, nothing dialed yet)', async () => {
    const res = await post(scheduled({ end_user_number: '+82-10-6861-2345', ticket_id: '76517' }));
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      call_type: 'Voice Scheduled (API)',
      status: 'scheduled',
      scheduled_at: FUTURE,
      queued_at: null,
      parent_id: null,
      offer_type: 'cascade',
      offer_events: [],
      selected_menu: { id: ids.mobile, menu_type: 'mobile_menu' },
    });
    expect(res.body.participants).toEqual([expect.objectContaining({ type: 'end_user', status: 'waiting' })]);
  });

  it('201: creates a scheduled call with call ID (parent_id; the menu comes from the parent)', async () => {
    const parent = await post(incoming({ menu_id: ids.mobile }));
    const res = await post({
      call_type: 'Voice Scheduled (API)',
      lang: 'en',
      call_id: parent.body.id,
      end_user_number: '+82-10-6861-2345',
      scheduled_at: FUTURE,
      recording_permission: 'recording_permission_granted',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      parent_id: parent.body.id,
      status: 'scheduled',
      selected_menu: { id: ids.mobile },
    });
  });

  it('takes the deprecated ScheduledCall (the seed example that sends it with outbound fields gets the scheduled refusal)', async () => {
    expect((await post(scheduled({ call_type: 'ScheduledCall' }))).status).toBe(201);
    await refused(
      {
        call_type: 'ScheduledCall',
        agent_email: 'allen@somedomain.com',
        outbound_number: '+1 760-410-8538',
        end_user_number: '123123',
        lang: 'en',
      },
      'menu_id is required',
    );
  });

  it.each([
    [
      'end_user_number is not well formed',
      { end_user_number: '+1 999-657-12', scheduled_at: '2019-09-15T00:19:14.421Z' },
    ],
    [
      "Menu is in 'manual redirection' state, can't accept calls",
      { menu_id: 'redirect', scheduled_at: '2019-09-15T00:19:14.421Z' },
    ],
    ['Invalid call type', { call_type: 'InvalidCallType' }],
    ['menu_id is required', { menu_id: undefined }],
    ['Only mobile and web menu IDs are permitted', { menu_id: 'ivr' }],
    ["Menu is in 'after hours' state, can't accept incoming calls", { menu_id: 'closed' }],
    ["Language 'fr' is not available", { lang: 'fr' }],
    ["Language 'xy' is not found", { lang: 'xy' }],
    ['menu_id 9999 is not found', { menu_id: 9999 }],
    ['menu_id is not well formed', { menu_id: 'menu_999' }],
    ['end_user_number is required', { end_user_number: undefined }],
    ['scheduled_at is required', { scheduled_at: undefined }],
    [
      'scheduled_at must be a valid future time in ISO 8601 format',
      { scheduled_at: '2019-09-15T00:19:14.421Z' },
    ],
    ['scheduled_at must be a valid future time in ISO 8601 format', { scheduled_at: 'next tuesday' }],
    ['call_id 999999 is not found', { call_id: 999_999, menu_id: undefined }],
  ])('400 %s', async (message, extra) => {
    const body: Record<string, unknown> = scheduled(extra);
    if (typeof body.menu_id === 'string' && body.menu_id in ids) body.menu_id = ids[body.menu_id as 'web'];
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    await refused(body, message);
  });

  it('checks hours at the scheduled time, not now', async () => {
    const weekday = await menu({
      name: 'Weekdays',
      menu_type: 'web_menu',
      agent_ids: [ids.agent],
      hours: { time_zone: 'America/New_York', schedule: [{ day: 'tuesday', open: '09:00', close: '17:00' }] },
    });
    // The test clock is Monday 2025-01-06 15:00 UTC: closed now; Tuesday 10:00 New York is open.
    expect((await post(scheduled({ menu_id: weekday, scheduled_at: '2025-01-07T15:00:00Z' }))).status).toBe(
      201,
    );
    await refused(
      scheduled({ menu_id: weekday, scheduled_at: '2025-01-07T23:00:00Z' }),
      "Menu is in 'after hours' state, can't accept incoming calls",
    );
  });
});

describe('lang (ISO 639-1, default "en")', () => {
  it("defaults to en; takes any of the menu's languages; outbound calls take any known code", async () => {
    const bilingual = await menu({
      name: 'Bilingual',
      menu_type: 'ivr_menu',
      languages: ['ko', 'en'],
      agent_ids: [ids.agent],
    });
    const withLang = (lang?: string) => {
      const body: Record<string, unknown> = incoming({ menu_id: bilingual, lang });
      if (lang === undefined) delete body.lang;
      return post(body);
    };
    expect((await withLang()).body.lang).toBe('en');
    expect((await withLang('ko')).body.lang).toBe('ko');
    await refused(incoming({ menu_id: bilingual, lang: 'fr' }), "Language 'fr' is not available");
    // The seed's ivr menu has only the default ["en"]: ko is a real code, just not offered there.
    await refused(incoming({ lang: 'ko' }), "Language 'ko' is not available");
    const outbound = await post({
      call_type: 'Voice Outbound (API)',
      agent_email: 'admin@somedomain.com',
      end_user_number: '+1 859-657-9625',
      outbound_number: '+1 339-219-5276',
      lang: 'ko',
    });
    expect(outbound.status, outbound.text).toBe(201);
    expect(outbound.body.lang).toBe('ko');
  });
});
