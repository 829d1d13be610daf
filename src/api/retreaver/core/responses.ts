import { type TSchema, Type } from 'typebox';
import { Nullable } from './common.js';

/**
 * Response bodies of the Core API in TypeBox: the OpenAPI document shows them, and Fastify compiles
 * each into the JSON serializer of its route (fast-json-stringify: a 25-target page is about half the
 * CPU of JSON.stringify). The field order is the presenter's, so the bytes stay as they were; a field
 * a presenter adds and a schema lacks would be dropped, which the contract test (test/api) catches.
 */

const Int = Type.Integer();
const Str = Type.String();
const Bool = Type.Boolean();
const NullInt = Nullable(Type.Integer());
const NullStr = Nullable(Type.String());
/** A Date (presenters' `time()`), written as ISO 8601, or null. */
const Time = Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time' });
const obj = (props: Record<string, TSchema>, description?: string) =>
  Type.Object(props, { additionalProperties: false, ...(description ? { description } : {}) });

export const CapResponse = obj({ id: Int, filled: Int, cap: NullInt, type: Str });

export const TargetResponse = obj(
  {
    target: obj({
      id: Int,
      number: Str,
      sip_username: NullStr,
      sip_password: NullStr,
      cid_number_id: NullInt,
      obfuscate_cid: Bool,
      created_at: Time,
      updated_at: Time,
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
        obj({
          id: Int,
          target_id: Int,
          work_day: Bool,
          time_open: Int,
          time_close: Int,
          day_of_week: Int,
          invert: Bool,
          created_at: Time,
          updated_at: Time,
        }),
      ),
      tag_values: Type.Array(obj({ key: Str, value: Str, operator: Str, id: Int })),
    }),
  },
  'A target',
);

export const TargetList = Type.Array(TargetResponse, {
  description: 'One page of targets (25), Link header',
});
