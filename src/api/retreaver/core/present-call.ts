import type { Call, CallWithPixels, FiredPixel } from '../../../services/calls.js';
import { bool, time } from './common.js';

/** V1: exactly the seed's fields, in its order. */
export function presentCallV1(c: Call) {
  return {
    call: {
      uuid: c.uuid,
      caller: c.caller,
      caller_zip: c.caller_zip,
      caller_state: c.caller_state,
      caller_city: c.caller_city,
      caller_country: c.caller_country,
      dialed_call_duration: c.dialed_call_duration,
      total_duration: c.total_duration,
      status: c.status,
      start_time: time(c.start_time),
      forwarded_time: time(c.forwarded_time),
      end_time: time(c.end_time),
      cid: c.cid,
      afid: c.afid,
      sid: c.sid,
      dialed_number: c.dialed_number,
      updated_at: time(c.updated_at),
      created_at: time(c.created_at),
      recording_url: c.recording_url,
    },
  };
}

/** Money as the seed writes charge_total, total_cost and profit_gross: a string with two decimals. */
export const money = (amount: number): string => cents(amount).toFixed(2);

/** Rounded to the cent, so 0.3 - 0.1 shows 0.2 and never -0. */
const cents = (amount: number): number => Math.round(amount * 100) / 100 || 0;

/** The seed's formulas, over null revenue/payout read as 0. */
export function profits(c: Pick<Call, 'revenue' | 'payout' | 'charge_total'>) {
  const net = cents((c.revenue ?? 0) - (c.payout ?? 0));
  return { profit_net: net, profit_gross: money(net - c.charge_total), total_cost: money(c.charge_total) };
}

/**
 * V2: every field of the seed's example, in its order. `now` is the moment of the request:
 * time_to_call_in_seconds counts from the call's start up to it, as the seed's figures do.
 */
export function presentCallV2({ call: c, pixels }: CallWithPixels, now: number) {
  const { profit_net, profit_gross, total_cost } = profits(c);
  return {
    call: {
      uuid: c.uuid,
      caller: c.caller,
      caller_number_sent: c.caller_number_sent,
      caller_zip: c.caller_zip,
      caller_state: c.caller_state,
      caller_city: c.caller_city,
      caller_country: c.caller_country,
      dialed_call_duration: c.dialed_call_duration,
      total_duration: c.total_duration,
      ivr_duration: c.ivr_duration,
      hold_duration: c.hold_duration,
      status: c.status,
      start_time: time(c.start_time),
      forwarded_time: time(c.forwarded_time),
      end_time: time(c.end_time),
      cid: c.cid,
      afid: c.afid,
      sid: c.sid,
      dialed_number: c.dialed_number,
      revenue: c.revenue,
      payout: c.payout,
      postback_value: c.postback_value,
      network_sale_timer_fired: time(c.network_sale_timer_fired),
      affiliate_sale_timer_fired: time(c.affiliate_sale_timer_fired),
      target_sale_timer_fired: time(c.target_sale_timer_fired),
      hung_up_by: c.hung_up_by,
      duplicate: bool(c.duplicate),
      payable_duplicate: bool(c.payable_duplicate),
      receivable_duplicate: bool(c.receivable_duplicate),
      callpixels_target_id: c.target_id,
      system_target_id: c.target_id,
      system_campaign_id: c.campaign_id,
      system_affiliate_id: c.affiliate_id,
      fired_pixels_count: pixels.length,
      charge_total: money(c.charge_total),
      keys_pressed: parseJson<string[]>(c.keys_pressed, []),
      repeat: bool(c.repeat),
      affiliate_repeat: bool(c.affiliate_repeat),
      target_repeat: c.target_repeat === null ? null : bool(c.target_repeat),
      number_repeat: bool(c.number_repeat),
      visitor_url: c.visitor_url,
      company_id: c.company_id,
      conversions_determined_at: time(c.conversions_determined_at),
      updated_at: time(c.updated_at),
      created_at: time(c.created_at),
      billable_minutes: c.billable_minutes,
      upstream_call_uuid: c.upstream_call_uuid,
      downstream_call_uuids: parseJson<string[]>(c.downstream_call_uuids, []),
      target_group: c.target_group_id === null ? {} : { id: c.target_group_id, name: c.target_group_name },
      // The seed shows recording_url only on the call that has a recording.
      ...(c.recording_url === null ? {} : { recording_url: c.recording_url }),
      number: c.number,
      converted: bool(c.converted),
      payable: bool(c.payable),
      receivable: bool(c.receivable),
      conversion_seconds: c.conversion_seconds,
      tid: c.tid,
      tags: parseJson<Record<string, string>>(c.tags, {}),
      fired_pixels: pixels.map(presentFiredPixel),
      via: c.via,
      rescued: bool(c.rescued),
      campaign_id: c.campaign_id,
      campaign_name: c.campaign_name,
      number_id: c.number_id,
      target_id: c.target_id,
      affiliate_name: c.affiliate_name,
      connected: bool(c.connected),
      profit_gross,
      profit_net,
      target_name: c.target_name,
      time_to_call_in_seconds: Math.max(0, Math.floor((now - c.start_time) / 1000)),
      time_to_connect_in_seconds: c.ivr_duration + c.hold_duration,
      total_cost,
    },
  };
}

function presentFiredPixel(p: FiredPixel) {
  return {
    fired_pixel: {
      url: p.url,
      fire_order: p.fire_order,
      batch_uuid: p.batch_uuid,
      created_at: time(p.created_at),
      fired_at: time(p.fired_at),
      status: p.status,
      webhook_name: p.webhook_name,
    },
  };
}

/** JSON columns the engine writes; a damaged value shows as empty rather than failing the whole list. */
function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
