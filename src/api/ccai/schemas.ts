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

const Time = Nullable(Type.String({ format: 'date-time' }));
const IsoTime = Type.String({ format: 'date-time' });

// ---- menus ----

const MenuType = Type.Union(MENU_TYPES.map((t) => Type.Literal(t)));
const OfferType = Type.Union([Type.Literal('cascade'), Type.Literal('multicast')]);
const Hhmm = Type.String({ pattern: '^\\d{2}:\\d{2}$', description: 'HH:MM, 00:00 to 24:00' });
const Hours = Type.Object(
  {
    time_zone: Type.String({ maxLength: 64, description: 'IANA zone, e.g. America/New_York' }),
    schedule: Type.Array(
      Type.Object(
        { day: Type.Union(DAYS.map((d) => Type.Literal(d))), open: Hhmm, close: Hhmm },
        { additionalProperties: false },
      ),
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

export { IsoTime, Time };
