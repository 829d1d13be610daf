import { type TSchema, Type } from 'typebox';
import { At, Bool, Closed, Int, NullInt, NullStr, Num, Page, Str, Time, Wrapped } from '../../schemas.js';

/**
 * Response bodies of the Core API resources, one per presenter, in the presenter's field order (see
 * src/api/schemas.ts and docs/openapi.md). Routes name them in `schema.response`: `Targets.one` for one
 * resource, `Targets.list` for a page of them. Calls and reports are in responses-calls.ts.
 */

const Ids = Type.Array(Int);
/** A cid as some seed examples type it: a JSON number when it is a plain decimal, else a string. */
const CidValue = Type.Union([Str, Int]);

/** What every Core operation answers for one resource: the wrapped item, and a page of them. */
const resource = <T extends TSchema>(root: string, item: T, what: string) => {
  const one = Wrapped(root, item, `A ${what}`);
  return { one, list: Page(one, `${what}s`) };
};

export const CapResponse = Closed({ id: Int, filled: Int, cap: NullInt, type: Str });
const TagValue = Closed({ key: Str, value: Str, operator: Str, id: Int });

export const Affiliates = resource(
  'affiliate',
  Closed({
    id: Int,
    afid: Str,
    first_name: NullStr,
    last_name: NullStr,
    company_name: NullStr,
    updated_at: At,
    created_at: At,
  }),
  'affiliate',
);

export const Companies = resource(
  'company',
  Closed({
    id: Int,
    name: Str,
    default_click_url: NullStr,
    default_sale_url: NullStr,
    time_zone: Str,
    created_at: At,
    updated_at: At,
  }),
  'company',
);

export const Targets = resource(
  'target',
  Closed({
    id: Int,
    number: Str,
    sip_username: NullStr,
    sip_password: NullStr,
    cid_number_id: NullInt,
    obfuscate_cid: Bool,
    created_at: At,
    updated_at: At,
    object_key: Str,
    tid: NullStr,
    priority: Int,
    weight: Int,
    timeout_seconds: Int,
    timer_offset: Int,
    send_digits: NullStr,
    concurrency_cap: NullInt,
    calls_in_progress: Int,
    inband_signals: Bool,
    time_zone: Str,
    paused: Bool,
    paused_at: Time,
    name: NullStr,
    live_call_mode: NullStr,
    ping_url: NullStr,
    caps: Type.Array(CapResponse),
    business_hours: Type.Array(
      Closed({
        id: Int,
        target_id: Int,
        work_day: Bool,
        time_open: Int,
        time_close: Int,
        day_of_week: Int,
        invert: Bool,
        created_at: At,
        updated_at: At,
      }),
    ),
    tag_values: Type.Array(TagValue),
  }),
  'target',
);
/** The names the first routes used. */
export const TargetResponse = Targets.one;
export const TargetList = Targets.list;

export const TargetGroups = resource(
  'target_group',
  Closed({
    id: Int,
    name: Str,
    target_ids: Ids,
    concurrency_cap: NullInt,
    calls_in_progress: Int,
    behavior: Int,
    priority: NullInt,
    weight: NullInt,
    caps: Type.Array(CapResponse),
  }),
  'target group',
);

/** A campaign's (or number's) spoken or recorded greeting. */
const greeting = (extra: Record<string, TSchema> = {}) =>
  Type.Union([
    Closed({ message: NullStr, voice_gender: Str, ...extra }),
    Closed({
      audio_file_name: Str,
      audio_file_content_type: Str,
      audio_file_size: Int,
      audio_file_updated_at: At,
      ...extra,
    }),
  ]);
const timer = (extra: Record<string, TSchema> = {}) => Closed({ id: Int, seconds: Int, url: Str, ...extra });
const menuOption = (extra: Record<string, TSchema> = {}) =>
  Wrapped(
    'menu_option',
    Closed({
      id: Int,
      option: Str,
      target_cid: NullStr,
      target_number: NullStr,
      target_ids: Ids,
      target_group_ids: Ids,
      ...extra,
    }),
  );

export const Campaigns = resource(
  'campaign',
  Closed({
    id: Int,
    cid: Str,
    name: NullStr,
    updated_at: At,
    created_at: At,
    record_calls: Bool,
    record_seconds: Int,
    dedupe_seconds: Int,
    affiliate_can_pull_number: Bool,
    show_key: Str,
    greeting: greeting(),
    repeat: Int,
    timers: Type.Array(Wrapped('timer', timer())),
    menu_options: Type.Array(menuOption()),
    target_ids: Ids,
    target_group_ids: Ids,
  }),
  'campaign',
);

const inherited = { inherited: Bool };
/** Timers are bare in list/get answers and wrapped (`{"timer": …}`) in create/update answers. */
const numberItem = (timerItem: TSchema) =>
  Closed({
    id: Int,
    number: Str,
    toll_free: Bool,
    updated_at: At,
    created_at: At,
    sid: NullStr,
    afid: NullStr,
    cid: Str,
    uses_campaign_settings: Bool,
    greeting: greeting(inherited),
    repeat: Int,
    timers: Type.Array(timerItem),
    menu_options: Type.Array(menuOption(inherited)),
    target_ids: Ids,
    target_group_ids: Ids,
    routing_inherited: Bool,
  });
export const Numbers = {
  ...resource('number', numberItem(timer(inherited)), 'number'),
  /** Create and update answers: timers wrapped as `{"timer": …}`. */
  written: Wrapped('number', numberItem(Wrapped('timer', timer(inherited))), 'A number'),
};

export const NumberPools = resource(
  'number_pool',
  Closed({
    id: Int,
    numbers_count: Int,
    type: Str,
    country: Str,
    max_pool_size: Int,
    buffer_seconds: Int,
    updated_at: At,
    created_at: At,
    google_analytics: Bool,
    hide_embedded_access: Bool,
    afid: NullStr,
    cid: Str,
    reserve_size: Int,
    google_analytics_paths: Type.Optional(
      Type.Array(Closed({ name: Str, path: Str }), { description: 'Only when google_analytics is on' }),
    ),
  }),
  'number pool',
);

const ContactNumberItem = Closed({ number: Str, description: NullStr, id: Int });
export const Contacts = resource(
  'contact',
  Closed({ id: Int, contact_numbers: Type.Array(ContactNumberItem), tag_values: Type.Array(TagValue) }),
  'contact',
);
export const ContactNumbers = {
  one: Wrapped('contact_number', ContactNumberItem, 'A contact number'),
};

export const SuppressedNumbers = {
  ...resource(
    'suppressed_number',
    Closed({
      id: Int,
      number: Str,
      created_at: At,
      can_resubscribe: Bool,
      company_id: Int,
      cid: Type.Optional(CidValue),
    }),
    'suppressed number',
  ),
  /** The bare record create and update answer (the seed's create example). */
  record: Closed(
    {
      id: Int,
      company_id: Int,
      affiliate_id: NullInt,
      campaign_id: Type.Union([CidValue, Type.Null()]),
      number: Str,
      created_at: At,
      updated_at: At,
      can_resubscribe: Bool,
    },
    'A suppressed number (bare record)',
  ),
  /** The deprecated /contact_numbers/{number}/suppressed_number shape. */
  legacy: Wrapped(
    'suppressed_number',
    Closed({ id: Int, number: Str, can_resubscribe: Bool, created_at: At }),
    'A suppressed number (deprecated shape)',
  ),
  exist: Closed({ suppressed_numbers_exist: Bool }),
  listExists: Closed({ suppression_list: Bool }),
};

export const StaticCallerNumbers = resource(
  'static_caller_number',
  Closed({ id: Int, number: Str, created_at: At }),
  'static caller number',
);

export const ConversionRules = resource(
  'conversion_rule',
  Closed({
    id: Int,
    seconds: Int,
    revenue: Num,
    payout: Num,
    afid: NullStr,
    target_id: NullInt,
    created_at: At,
    updated_at: At,
  }),
  'conversion rule',
);

export const PostbackKeys = resource(
  'postback_key',
  Closed({
    id: Int,
    key: Str,
    cid: Str,
    name: NullStr,
    required_tags: Type.Array(Str),
    action: Str,
    reservation_seconds: Int,
    ttl_seconds: Int,
    ping_shield: Bool,
    number_pool_id: NullInt,
    tag_prefix: NullStr,
    timeout: Num,
    inbound_number: NullStr,
    return_dba: Bool,
    add_to_caps_on_status_reserved: Bool,
    route_only_to_reserved_target: Bool,
    allow_no_caller_number: Bool,
    paused: Bool,
    claim_percent_threshold: Num,
    blocked_inbound_percent: Num,
    ping_shield_outbound_count_limit: NullInt,
    ping_shield_outbound_ms_limit: NullInt,
    rtb_url: Str,
    reservation_url: Str,
    data_writing_url: Str,
    created_at: At,
    updated_at: At,
    revoked_at: Time,
  }),
  'postback key',
);

const shownOnce = Type.String({ description: 'Shown once: only in the answer that creates it' });

/** A resource whose create answer alone carries its secret (`fields` with `secret`, in wire order). */
const withSecret = (root: string, what: string, fields: (secret?: TSchema) => Record<string, TSchema>) => ({
  ...resource(root, Closed(fields()), what),
  created: Wrapped(root, Closed(fields(shownOnce)), `A new ${what}, with its secret`),
});
const secretField = (name: string, secret?: TSchema) => (secret ? { [name]: secret } : {});

export const CallControlKeys = withSecret('call_control_key', 'call control key', (secret) => ({
  id: Int,
  name: NullStr,
  ...secretField('key', secret),
  key_prefix: Str,
  target_id: NullInt,
  target_group_id: NullInt,
  actions: Type.Array(Str),
  return_timeout_seconds: Int,
  created_at: At,
  revoked_at: Time,
}));

export const Webhooks = {
  ...resource(
    'webhook',
    Closed({
      id: Int,
      name: Str,
      url: Str,
      fallback_url: NullStr,
      events: Type.Array(Str),
      created_at: At,
      updated_at: At,
    }),
    'webhook',
  ),
  secret: Wrapped('webhook_secret', Closed({ secret: Str, created_at: At }), "The company's webhook secret"),
};

export const ApiKeys = withSecret('api_key', 'API key', (secret) => ({
  id: Int,
  name: Str,
  role: Str,
  ...secretField('key', secret),
  key_prefix: Str,
  last_used_at: Time,
  created_at: At,
  revoked_at: Time,
}));

export const Users = {
  ...resource(
    'user',
    Closed({
      id: Int,
      email: Str,
      first_name: NullStr,
      last_name: NullStr,
      extension_number: Str,
      phone_number: NullStr,
      agent_number: NullStr,
      can_make_calls: Bool,
      status: Str,
      has_password: Bool,
      created_at: At,
      updated_at: At,
      deleted_at: Type.Optional(At),
    }),
    'user',
  ),
  jwtIssued: Wrapped('jwt', Closed({ user_id: Int, token: Str, created_at: At }), 'A JWT for the user'),
  jwtRevoked: Wrapped('jwt', Closed({ user_id: Int, revoked: Int }), 'How many JWTs were revoked'),
};

export const OauthApps = withSecret('oauth_app', 'OAuth app', (secret) => ({
  id: Int,
  name: Str,
  client_id: Str,
  ...secretField('client_secret', secret),
  created_at: At,
  deleted_at: Type.Optional(At),
}));

export const Tags = resource(
  'tag',
  Closed({ id: Int, key: Str, indexed_from: Time, reindexed_at: Time, created_at: At, updated_at: At }),
  'tag',
);
