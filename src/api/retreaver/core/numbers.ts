import { Type } from 'typebox';
import type { Services } from '../../../services/index.js';
import type { NumberInput, NumberView } from '../../../services/numbers.js';
import { send, sendPage } from '../reply.js';
import {
  normalizeNestedLists,
  presentGreeting,
  presentMenuOption,
  presentTimer,
  SettingsProps,
} from './campaigns.js';
import { AuthQuery, bool, IdParams, Nullable, PageQuery, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { Numbers } from './responses.js';

const Echo = Type.Optional(Type.Unknown());

const NumberBody = Type.Object(
  {
    type: Type.Optional(Type.String({ maxLength: 32 })),
    desired_text: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
    country: Type.Optional(Type.String({ maxLength: 8 })),
    afid: Type.Optional(Type.String({ maxLength: 255 })),
    cid: Type.Optional(Type.String({ maxLength: 255 })),
    sid: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    ...SettingsProps,
    // Read-only fields of the representation; accepted and ignored.
    id: Echo,
    number: Echo,
    toll_free: Echo,
    uses_campaign_settings: Echo,
    routing_inherited: Echo,
    created_at: Echo,
    updated_at: Echo,
  },
  { additionalProperties: false },
);

const NumberListQuery = Type.Object(
  {
    ...PageQuery,
    cid: Type.Optional(Type.String()),
    afid: Type.Optional(Type.String()),
    sid: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/**
 * `timers` items are bare (`{id, seconds, url, inherited}`) in the list/get examples and wrapped
 * (`{"timer": {…}}`) in the create/update examples; each answer follows its own example, and writes take
 * either (docs/compat.md). Menu options are wrapped in every example.
 */
export type TimerShape = 'bare' | 'wrapped';

export function presentNumber(v: NumberView, timerShape: TimerShape = 'bare') {
  const n = v.number;
  return {
    number: {
      id: n.id,
      number: n.number,
      toll_free: bool(n.toll_free),
      updated_at: time(n.updated_at),
      created_at: time(n.created_at),
      sid: n.sid,
      afid: v.afid,
      cid: v.cid,
      uses_campaign_settings: v.usesCampaignSettings,
      greeting: { ...presentGreeting(v.greeting), inherited: v.greetingInherited },
      repeat: v.repeat,
      timers: v.timers.map((t) => {
        const item = presentTimer(t, v.timersInherited);
        return timerShape === 'wrapped' ? item : item.timer;
      }),
      menu_options: v.menuOptions.map((m) => presentMenuOption(m, v.menuInherited)),
      target_ids: v.routing.target_ids,
      target_group_ids: v.routing.target_group_ids,
      routing_inherited: v.routingInherited,
    },
  };
}

const tags = ['Numbers'];

export async function numberRoutes(app: CoreApp, { numbers }: Pick<Services, 'numbers'>) {
  app.get(
    '/numbers',
    {
      schema: {
        response: { 200: Numbers.list },
        tags,
        summary: 'Get all Numbers',
        querystring: NumberListQuery,
      },
    },
    async (req, reply) => {
      const { cid, afid, sid, page } = req.query;
      return sendPage(
        reply,
        await numbers.list(req.core.companyId, { cid, afid, sid }, page ?? 1),
        (v) => presentNumber(v),
        'numbers',
      );
    },
  );

  app.post(
    '/numbers',
    {
      config: { wrap: 'number' },
      preValidation: normalizeNestedLists,
      schema: {
        response: { 201: Numbers.written },
        tags,
        summary: 'Create a Number',
        body: NumberBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(
        reply,
        presentNumber(await numbers.create(req.core.companyId, req.body as NumberInput), 'wrapped'),
        { status: 201 },
      ),
  );

  const params = IdParams;
  app.get(
    '/numbers/:id',
    {
      schema: {
        response: { 200: Numbers.one },
        tags,
        summary: 'Get a specific Number',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentNumber(await numbers.get(req.core.companyId, req.params.id))),
  );
  app.put(
    '/numbers/:id',
    {
      config: { wrap: 'number' },
      preValidation: normalizeNestedLists,
      schema: {
        response: { 200: Numbers.written },
        tags,
        summary: 'Update a Number',
        params,
        body: NumberBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(
        reply,
        presentNumber(
          await numbers.update(req.core.companyId, req.params.id, req.body as NumberInput),
          'wrapped',
        ),
      ),
  );
  app.delete(
    '/numbers/:id',
    {
      schema: {
        response: { 200: Numbers.one },
        tags,
        summary: 'Remove a Number',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentNumber(await numbers.remove(req.core.companyId, req.params.id))),
  );
}
