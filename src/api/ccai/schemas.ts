import { type Static, Type } from 'typebox';
import { DAYS, MENU_TYPES } from '../../domain/ccai-menus.js';
import { Nullable } from '../retreaver/core/common.js';

/** Schemas of the CCAI face, once: bodies the routes validate, answers they serialize and document. */

export const CcaiErrorBody = Type.Object({ message: Type.String() }, { additionalProperties: false });

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

export const ListQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
    per: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
  },
  { additionalProperties: true },
);

/** A string enum whose static type is the union of its values. */
const Enum = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

const Time = Nullable(Type.String({ format: 'date-time' }));
const IsoTime = Type.String({ format: 'date-time' });

// ---- menus ----

const MenuType = Enum(MENU_TYPES);
const OfferType = Type.Union([Type.Literal('cascade'), Type.Literal('multicast')]);
const Hhmm = Type.String({ pattern: '^\\d{2}:\\d{2}$', description: 'HH:MM, 00:00 to 24:00' });
const Hours = Type.Object(
  {
    time_zone: Type.String({ maxLength: 64, description: 'IANA zone, e.g. America/New_York' }),
    schedule: Type.Array(
      Type.Object({ day: Enum(DAYS), open: Hhmm, close: Hhmm }, { additionalProperties: false }),
      { maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

const MenuFields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  menu_type: MenuType,
  parent_id: Nullable(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
  position: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  output_msg: Nullable(Type.String({ maxLength: 4000 })),
  hidden: Type.Boolean(),
  languages: Type.Array(Type.String({ maxLength: 8 }), {
    maxItems: 50,
    description: 'ISO 639-1 codes; the first is the default',
  }),
  agent_ids: Type.Array(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), {
    maxItems: 500,
    description: "The menu's queue: user ids in the order a cascade offers calls",
  }),
  offer_type: OfferType,
  manual_redirection: Type.Boolean(),
  hours: Nullable(Hours),
};

export const MenuCreate = Type.Object(
  {
    ...Object.fromEntries(Object.entries(MenuFields).map(([k, v]) => [k, Type.Optional(v)])),
    name: MenuFields.name,
    menu_type: MenuFields.menu_type,
  } as typeof MenuFields,
  { additionalProperties: false },
);
export const MenuUpdate = Type.Partial(Type.Object(MenuFields, { additionalProperties: false }));
export type MenuBody = Static<typeof MenuUpdate>;

export const MenuAnswer = Type.Object({
  id: Type.Integer(),
  ...MenuFields,
  hours: Nullable(Type.Unsafe<unknown>({ ...Hours })),
  deleted: Type.Boolean(),
  materialized_path: Type.String({ description: 'Ids from the root menu to this one, joined by /' }),
  created_at: IsoTime,
  updated_at: IsoTime,
});

// ---- outbound numbers, end users, agents ----

export const OutboundNumberBody = Type.Object(
  {
    number: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    default: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const OutboundNumberAnswer = Type.Object({
  id: Type.Integer(),
  number: Type.String(),
  default: Type.Boolean(),
  created_at: IsoTime,
  updated_at: IsoTime,
});

export const EndUserBody = Type.Object(
  {
    ticket_id: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    phone_number: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
  },
  { additionalProperties: false },
);
export const EndUserAnswer = Type.Object({
  id: Type.Integer(),
  ticket_id: Nullable(Type.String()),
  phone_number: Nullable(Type.String()),
  name: Nullable(Type.String()),
  created_at: IsoTime,
  updated_at: IsoTime,
});

export const AgentInfo = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  last_name: Nullable(Type.String()),
  first_name: Nullable(Type.String()),
  agent_number: Nullable(Type.String()),
  avatar_url: Nullable(Type.String()),
});

export const AgentAnswer = Type.Object({
  ...AgentInfo.properties,
  email: Type.String(),
  phone_number: Nullable(Type.String()),
  extension_number: Type.String(),
  status: Type.Union([Type.Literal('available'), Type.Literal('unavailable')]),
  can_make_calls: Type.Boolean(),
});

export const MenuSchemas = { create: MenuCreate, update: MenuUpdate, answer: MenuAnswer };
export const OutboundNumberSchemas = {
  create: OutboundNumberBody,
  update: OutboundNumberBody,
  answer: OutboundNumberAnswer,
};
export const EndUserSchemas = { create: EndUserBody, update: EndUserBody, answer: EndUserAnswer };

export { IsoTime, Time };

// ---- calls ----

const N = <T extends import('typebox').TSchema>(t: T) => Nullable(t);
const MenuPath = Type.Object({
  items_count: Type.Integer(),
  name: Type.String(),
  materialized_path: Type.String(),
});
const SelectedMenu = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  parent_id: N(Type.Integer()),
  position: Type.Integer(),
  deleted: Type.Boolean(),
  menu_type: MenuType,
  output_msg: N(Type.String()),
  hidden: Type.Boolean(),
});
export const CALL_STATUSES = [
  'scheduled',
  'cancelled',
  'deflected',
  'queued',
  'assigned',
  'connecting',
  'connected',
  'finished',
  'recovered',
  'failed',
] as const;

const MenuRef = N(MenuPath);
const Transfer = Type.Object({
  id: Type.Integer(),
  status: Enum(['transferring', 'transferred', 'cancelled', 'failed'] as const),
  fail_reason: Type.String(),
  created_at: IsoTime,
  from_menu: MenuRef,
  to_menu: MenuRef,
  from_agent: N(AgentInfo),
  to_agent: N(AgentInfo),
});

export const Participant = Type.Object({
  id: Type.Integer(),
  type: Type.Union([Type.Literal('agent'), Type.Literal('end_user')]),
  status: Enum(['waiting', 'connected', 'finished', 'failed'] as const),
  call_id: Type.Integer(),
  user_id: N(Type.Integer()),
  end_user_id: N(Type.Integer()),
  call_duration: N(Type.Integer()),
  hold_duration: N(Type.Integer()),
  connected_at: Time,
  ended_at: Time,
  fail_reason: Type.String(),
});

export const CallObject = Type.Object({
  id: Type.Integer(),
  parent_id: N(Type.Integer()),
  lang: Type.String(),
  call_type: Enum(['Voice Outbound (API)', 'Voice Inbound (API)', 'Voice Scheduled (API)'] as const),
  status: Enum(CALL_STATUSES),
  created_at: IsoTime,
  queued_at: Time,
  assigned_at: Time,
  connected_at: Time,
  ends_at: Time,
  scheduled_at: Time,
  wait_duration: Type.Integer({
    description: 'Seconds from placing (queueing) to connecting, or to the end',
  }),
  call_duration: Type.Integer({ description: 'Seconds connected' }),
  hold_duration: Type.Integer(),
  rating: N(Type.Integer()),
  has_feedback: Type.Boolean(),
  voip_provider: Type.String(),
  out_ticket_id: N(Type.String()),
  out_ticket_url: N(Type.String()),
  verified: Type.Boolean(),
  recording_url: N(Type.String()),
  recording_permission: Type.String(),
  voicemail_reason: Type.String(),
  deflection: Type.String(),
  disconnected_by: Type.String(),
  fail_reason: Type.String(),
  fail_details: N(Type.String()),
  support_number: N(Type.String()),
  selected_menu: N(SelectedMenu),
  menu_path: N(MenuPath),
  agent_info: N(AgentInfo),
  end_user: N(
    Type.Object({ id: Type.Integer(), identifier: N(Type.String()), out_contact_id: N(Type.String()) }),
  ),
  photos: Type.Array(Type.Object({ id: Type.Integer(), photo_type: Type.String(), url: Type.String() })),
  videos: Type.Array(Type.Object({ id: Type.Integer(), url: Type.String() })),
  transfers: Type.Array(Transfer),
  deflection_details: Type.Array(Type.Unknown()),
  participants: Type.Array(Participant),
  offer_type: N(OfferType),
  offer_events: Type.Array(Type.Object({ casting_time: IsoTime, group: Type.String() })),
  answer_type: Type.String(),
  outbound_number: Type.String(),
});

/** Loosely typed on purpose: the seed's refusals name malformed values (`"menu_id": "menu_999"`). */
const Loose = (description: string) =>
  Type.Optional(Type.Union([Type.String(), Type.Number()], { description }));
export const CallBody = Type.Object(
  {
    call_type: Loose(
      '"Voice Outbound (API)", "Voice Inbound (API)", "Voice Scheduled (API)", or the deprecated "OutboundCall", "IncomingCall", "ScheduledCall"',
    ),
    agent_email: Loose('Outbound: the agent (a user) who makes the call'),
    ticket_id: Loose('CRM ticket; its end user is dialed (wins over end_user_number)'),
    end_user_number: Loose('The end user phone number to dial'),
    outbound_number: Loose('Caller id: one of the outbound numbers; the default one when absent'),
    lang: Loose('ISO 639-1 (default "en")'),
    menu_id: Loose('Incoming: an IVR or mobile menu; scheduled: a mobile or web menu'),
    call_id: Loose('Scheduled: the parent call (then menu_id may be left out)'),
    scheduled_at: Loose('Scheduled: a future ISO 8601 time'),
    recording_permission: Loose(
      'recording_permission_not_asked (default), recording_permission_denied or recording_permission_granted',
    ),
  },
  { additionalProperties: true },
);

export const CallEcho = Type.Object({}, { additionalProperties: true, description: 'The request, echoed' });

export const CallListQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
    per: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    status: Type.Optional(Enum(CALL_STATUSES)),
    sort_column: Type.Optional(Type.Union([Type.Literal('id'), Type.Literal('created_at')])),
    sort_direction: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    'created_at[from]': Type.Optional(Type.String({ format: 'date-time' })),
    'created_at[to]': Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: true },
);

const Flag = Type.Boolean();
export const CustomerFlags = Type.Object({ verified_customer: Flag, bad_actor: Flag, repeat_customer: Flag });
export const CustomerFlagsBody = Type.Object(
  {
    verified_customer: Type.Optional(Flag),
    bad_actor: Type.Optional(Flag),
    repeat_customer: Type.Optional(Flag),
    repeat_customers: Type.Optional(Type.Boolean({ description: "The seed's spelling of repeat_customer" })),
  },
  { additionalProperties: false },
);

export const CancelManyBody = Type.Object(
  {
    call_ids: Type.Array(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), {
      minItems: 1,
      maxItems: 100,
    }),
  },
  { additionalProperties: false },
);
