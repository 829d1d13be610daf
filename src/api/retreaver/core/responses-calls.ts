import { type TProperties, Type } from 'typebox';
import {
  At,
  Bool,
  Closed,
  Int,
  NullBool,
  NullInt,
  NullNum,
  NullStr,
  Num,
  Open,
  Page,
  Str,
  StringMap,
  Time,
  Wrapped,
} from '../../schemas.js';

/**
 * Response bodies of the call log (V1, V2, V3) and of reports, in the presenters' order
 * (present-call.ts, calls-v3.ts, present-report.ts). See src/api/schemas.ts.
 */

/** With `call_flow_events=true`, each call carries its journey (docs/call-flow-events.md). */
const flowEvents = {
  call_flow_events: Type.Optional(
    Type.Array(Closed({ at: At, type: Str, details: Open({}) }), {
      description: 'Only with call_flow_events=true',
    }),
  ),
};

const callV1 = {
  uuid: Str,
  caller: Str,
  caller_zip: NullStr,
  caller_state: NullStr,
  caller_city: NullStr,
  caller_country: NullStr,
  dialed_call_duration: Num,
  total_duration: Num,
  status: Str,
  start_time: At,
  forwarded_time: Time,
  end_time: Time,
  cid: NullStr,
  afid: NullStr,
  sid: NullStr,
  dialed_number: NullStr,
  updated_at: At,
  created_at: At,
  recording_url: NullStr,
};

const FiredPixel = Wrapped(
  'fired_pixel',
  Closed({
    url: Str,
    fire_order: Int,
    batch_uuid: Str,
    created_at: At,
    fired_at: Time,
    status: Str,
    webhook_name: NullStr,
  }),
);

const callV2 = {
  uuid: Str,
  caller: Str,
  caller_number_sent: NullStr,
  caller_zip: NullStr,
  caller_state: NullStr,
  caller_city: NullStr,
  caller_country: NullStr,
  dialed_call_duration: Num,
  total_duration: Num,
  ivr_duration: Num,
  hold_duration: Num,
  status: Str,
  start_time: At,
  forwarded_time: Time,
  end_time: Time,
  cid: NullStr,
  afid: NullStr,
  sid: NullStr,
  dialed_number: NullStr,
  revenue: NullNum,
  payout: NullNum,
  postback_value: NullNum,
  network_sale_timer_fired: Time,
  affiliate_sale_timer_fired: Time,
  target_sale_timer_fired: Time,
  hung_up_by: NullStr,
  duplicate: Bool,
  payable_duplicate: Bool,
  receivable_duplicate: Bool,
  callpixels_target_id: NullInt,
  system_target_id: NullInt,
  system_campaign_id: NullInt,
  system_affiliate_id: NullInt,
  fired_pixels_count: Int,
  charge_total: Type.String({ description: 'Two decimals' }),
  keys_pressed: Type.Array(Str),
  repeat: Bool,
  affiliate_repeat: Bool,
  target_repeat: NullBool,
  number_repeat: Bool,
  visitor_url: NullStr,
  company_id: Int,
  conversions_determined_at: Time,
  updated_at: At,
  created_at: At,
  billable_minutes: Num,
  upstream_call_uuid: NullStr,
  downstream_call_uuids: Type.Array(Str),
  target_group: Closed(
    { id: Type.Optional(Int), name: Type.Optional(NullStr) },
    'Empty when the call went to no target group',
  ),
  recording_url: Type.Optional(Type.String({ description: 'Only on a call with a recording' })),
  number: Str,
  converted: Bool,
  payable: Bool,
  receivable: Bool,
  conversion_seconds: NullInt,
  tid: NullStr,
  tags: StringMap,
  fired_pixels: Type.Array(FiredPixel),
  via: Str,
  rescued: Bool,
  campaign_id: NullInt,
  campaign_name: NullStr,
  number_id: NullInt,
  target_id: NullInt,
  affiliate_name: NullStr,
  connected: Bool,
  profit_gross: Type.String({ description: 'Two decimals' }),
  profit_net: Num,
  target_name: NullStr,
  time_to_call_in_seconds: Int,
  time_to_connect_in_seconds: Num,
  total_cost: Type.String({ description: 'Two decimals' }),
};

const Leg = Wrapped(
  'leg',
  Closed({
    id: Str,
    direction: Str,
    from: Str,
    to: Str,
    target_id: NullInt,
    target_group_id: NullInt,
    status: Str,
    started_at: At,
    answered_at: Time,
    ended_at: Time,
    hung_up_by: NullStr,
    end_reason: NullStr,
  }),
);
const Transfer = Wrapped(
  'transfer',
  Closed({
    transfer_uuid: Str,
    transfer_to: Str,
    hold_caller: Bool,
    status: Str,
    downstream_call_uuid: NullStr,
    created_at: At,
    answered_at: Time,
    ended_at: Time,
  }),
);
const ClaimedReservation = Closed({
  uuid: Str,
  status: Str,
  caller_number: NullStr,
  inbound_number: NullStr,
  afid: NullStr,
  target_id: NullInt,
  payout: NullNum,
  seconds: NullInt,
  tags: StringMap,
  created_at: At,
  expires_at: Time,
  claimed_at: Time,
});
const callV3 = {
  ...callV2,
  legs: Type.Array(Leg),
  transfers: Type.Array(Transfer),
  reservation: Type.Union([ClaimedReservation, Type.Null()]),
  postback_key: Type.Union([Closed({ id: Int, name: NullStr, action: Str, revoked: Bool }), Type.Null()]),
};

const calls = (fields: TProperties, what: string) => {
  const one = Wrapped('call', Closed({ ...fields, ...flowEvents }), `A call (${what})`);
  return { one, list: Page(one, `calls (${what})`) };
};
export const CallsV1 = calls(callV1, 'V1');
export const CallsV2 = calls(callV2, 'V2');
export const CallsV3 = calls(callV3, 'V3');

/** The seed's report: `{count, count_total, data}`; `.csv` answers the same rows as text/csv. */
export const ReportAnswer = Closed(
  {
    count: Int,
    count_total: Int,
    data: Type.Array(
      Closed({
        id: Type.Union([Str, Num, Type.Null()]),
        facet_name: Str,
        total_calls: Num,
        repeat_count: Num,
        duplicate_count: Num,
        unique_calls: Num,
        converted_count: Num,
        revenue: Num,
        payout: Num,
        cost: Num,
        total_duration: Num,
        total_duration_percent: Num,
        rescued_count: Num,
        rescued_revenue: Num,
        connected_duration: Num,
        connected_duration_percent: Num,
        in_progress_count: Num,
        profit: Num,
        repeat_count_percent: Num,
        duplicate_count_percent: Num,
        converted_count_percent: Num,
        rescued_count_percent: Num,
        epc: Num,
        cpc: Num,
      }),
    ),
  },
  'One page of report rows (Link and X-Total-Count headers)',
);
