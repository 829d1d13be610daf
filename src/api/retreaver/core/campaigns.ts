import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import type { CampaignInput, CampaignRef, CampaignView } from '../../../services/campaigns.js';
import type { GreetingView } from '../../../services/greetings.js';
import type { Services } from '../../../services/index.js';
import type { MenuOption, Timer } from '../../../services/nested.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, bool, IdParams, ListQuery, Nullable, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { Campaigns } from './responses.js';
import { RoutingListFields } from './routing-list.js';

/** Nested attribute schemas, shared with numbers (which override these campaign settings). */
const Echo = Type.Optional(Type.Unknown());

const TimerAttributes = Type.Object(
  {
    id: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
    seconds: Type.Optional(Type.Integer({ minimum: -2_147_483_648, maximum: 2_147_483_647 })),
    url: Type.Optional(Type.String({ maxLength: 4096 })),
    _destroy: Type.Optional(Type.Boolean()),
    inherited: Echo,
  },
  { additionalProperties: false },
);

const MenuOptionAttributes = Type.Object(
  {
    id: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
    option: Type.Optional(Type.String({ maxLength: 8 })),
    target_number: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    target_cid: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    target_ids: RoutingListFields.target_ids,
    target_group_ids: RoutingListFields.target_group_ids,
    _destroy: Type.Optional(Type.Boolean()),
    inherited: Echo,
  },
  { additionalProperties: false },
);

const UploadedFile = Type.Object(
  { file_name: Type.String(), content_type: Type.String(), b64_data: Type.String() },
  { additionalProperties: false },
);

/** Greeting, repeat, timers and menu options: the settings a number may override. */
export const SettingsProps = {
  message: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
  voice_gender: Type.Optional(Type.String({ maxLength: 16 })),
  message_file: Type.Optional(UploadedFile),
  message_file_b64_data: Type.Optional(Type.String()),
  message_file_b64_filename: Type.Optional(Type.String({ maxLength: 255 })),
  repeat: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  timers_attributes: Type.Optional(Type.Array(TimerAttributes, { maxItems: 100 })),
  menu_options_attributes: Type.Optional(Type.Array(MenuOptionAttributes, { maxItems: 100 })),
  menu_option_attributes: Type.Optional(Type.Array(MenuOptionAttributes, { maxItems: 100 })),
  destroy_nested: Type.Optional(Type.Boolean()),
  ...RoutingListFields,
  // Read-only parts of the representation a client may echo back from a GET; accepted and ignored.
  greeting: Echo,
  timers: Echo,
  menu_options: Echo,
};

const CampaignBody = Type.Object(
  {
    cid: Type.Optional(Type.String({ maxLength: 255 })),
    name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    record_calls: Type.Optional(Type.Boolean()),
    record_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    dedupe_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
    affiliate_can_pull_number: Type.Optional(Type.Boolean()),
    ...SettingsProps,
    id: Echo,
    show_key: Echo,
    created_at: Echo,
    updated_at: Echo,
  },
  { additionalProperties: false },
);
type CampaignBody = Static<typeof CampaignBody>;

const NESTED_LISTS = [
  ['timers_attributes', 'timer'],
  ['menu_options_attributes', 'menu_option'],
  ['menu_option_attributes', 'menu_option'],
] as const;

/**
 * Nested lists arrive in more shapes than JSON arrays: form and multipart fields give `{"0": {...}}`,
 * XML without `type="array"` gives `{"timer": {...}}`, and a GET's items are wrapped in `{"timer": …}`.
 */
export async function normalizeNestedLists(request: FastifyRequest): Promise<void> {
  const body = request.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return;
  for (const [key, item] of NESTED_LISTS) if (body[key] !== undefined) body[key] = asList(body[key], item);
}

function asList(value: unknown, itemName: string): unknown {
  let list: unknown[];
  if (Array.isArray(value)) list = value;
  else if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length && entries.every(([k]) => /^\d+$/.test(k))) {
      list = entries.sort((a, b) => Number(a[0]) - Number(b[0])).map(([, v]) => v);
    } else if (entries.length === 1 && entries[0][1] && typeof entries[0][1] === 'object') {
      const only = entries[0][1];
      list = Array.isArray(only) ? only : [only];
    } else return value;
  } else return value;
  return list.map((item) => {
    const inner = item && typeof item === 'object' ? (item as Record<string, unknown>)[itemName] : undefined;
    return inner && typeof inner === 'object' && Object.keys(item as object).length === 1 ? inner : item;
  });
}

export function presentGreeting(g: GreetingView) {
  return g.kind === 'audio'
    ? {
        audio_file_name: g.file_name,
        audio_file_content_type: g.content_type,
        audio_file_size: g.size,
        audio_file_updated_at: time(g.updated_at),
      }
    : { message: g.message, voice_gender: g.voice_gender };
}

/** `inherited` is only shown on numbers. */
export const presentTimer = (t: Timer, inherited?: boolean) => ({
  timer: { id: t.id, seconds: t.seconds, url: t.url, ...(inherited === undefined ? {} : { inherited }) },
});

export const presentMenuOption = (m: MenuOption, inherited?: boolean) => ({
  menu_option: {
    id: m.id,
    option: m.option,
    target_cid: m.target_cid,
    target_number: m.target_number,
    target_ids: m.routing.target_ids,
    target_group_ids: m.routing.target_group_ids,
    ...(inherited === undefined ? {} : { inherited }),
  },
});

export function presentCampaign(v: CampaignView) {
  const c = v.campaign;
  return {
    campaign: {
      id: c.id,
      cid: c.cid,
      name: c.name,
      updated_at: time(c.updated_at),
      created_at: time(c.created_at),
      record_calls: bool(c.record_calls),
      record_seconds: c.record_seconds,
      dedupe_seconds: c.dedupe_seconds,
      affiliate_can_pull_number: bool(c.affiliate_can_pull_number),
      show_key: c.show_key,
      greeting: presentGreeting(v.greeting),
      repeat: c.repeat,
      timers: v.timers.map((t) => presentTimer(t)),
      menu_options: v.menuOptions.map((m) => presentMenuOption(m)),
      target_ids: v.routing.target_ids,
      target_group_ids: v.routing.target_group_ids,
    },
  };
}

const CidParams = Type.Object({ cid: Type.String({ minLength: 1, maxLength: 255 }) });
const tags = ['Campaigns'];

export async function campaignRoutes(app: CoreApp, { campaigns }: Pick<Services, 'campaigns'>) {
  app.get(
    '/campaigns',
    {
      schema: {
        response: { 200: Campaigns.list },
        tags,
        summary: 'Get all Campaigns',
        querystring: ListQuery,
      },
    },
    async (req, reply) =>
      sendPage(
        reply,
        await campaigns.list(req.core.companyId, req.query.page ?? 1),
        presentCampaign,
        'campaigns',
      ),
  );

  app.post(
    '/campaigns',
    {
      config: { wrap: 'campaign' },
      preValidation: normalizeNestedLists,
      schema: {
        response: { 201: Campaigns.one },
        tags,
        summary: 'Create a Campaign',
        body: CampaignBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentCampaign(await campaigns.create(req.core.companyId, req.body as CampaignInput)), {
        status: 201,
      }),
  );

  // The same three verbs by cid (the customer's id) and by our internal id.
  const byRef = [
    { url: '/campaigns/cid/:cid', params: CidParams, ref: (p: any): CampaignRef => String(p.cid) },
    { url: '/campaigns/:id', params: IdParams, ref: (p: any): CampaignRef => Number(p.id) },
  ];
  for (const { url, params, ref } of byRef) {
    app.get(
      url,
      {
        schema: {
          response: { 200: Campaigns.one },
          tags,
          summary: 'Get a specific Campaign',
          params,
          querystring: AuthQuery,
        },
      },
      async (req, reply) =>
        send(reply, presentCampaign(await campaigns.get(req.core.companyId, ref(req.params)))),
    );
    app.put(
      url,
      {
        config: { wrap: 'campaign' },
        preValidation: normalizeNestedLists,
        schema: {
          response: { 200: Campaigns.one },
          tags,
          summary: 'Update a Campaign',
          params,
          body: CampaignBody,
          querystring: AuthQuery,
        },
      },
      async (req, reply) =>
        send(
          reply,
          presentCampaign(
            await campaigns.update(req.core.companyId, ref(req.params), req.body as CampaignBody),
          ),
        ),
    );
    app.delete(
      url,
      {
        schema: {
          response: { 200: Campaigns.one },
          tags,
          summary: 'Remove a Campaign',
          params,
          querystring: AuthQuery,
        },
      },
      async (req, reply) =>
        send(reply, presentCampaign(await campaigns.remove(req.core.companyId, ref(req.params)))),
    );
  }
}
