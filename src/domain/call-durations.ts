/**
 * Call durations and what they cost, written once: the engine's call end, a transfer's downstream
 * record and a call closed after a restart all count the same way.
 */

/** Whole seconds from `from` to `to` (epoch ms), never negative; 0 when either is unknown. */
export function secondsBetween(from: number | null | undefined, to: number | null | undefined): number {
  return from == null || to == null ? 0 : Math.max(0, Math.round((to - from) / 1000));
}

/** Minutes billed: every started minute. */
export function billableMinutes(totalSeconds: number): number {
  return totalSeconds > 0 ? Math.ceil(totalSeconds / 60) : 0;
}

/** What the billed minutes cost at `ratePerMinute`, to the cent. */
export function chargeTotal(billable: number, ratePerMinute: number): number {
  return Math.round(billable * ratePerMinute * 100) / 100;
}

export interface CallTimes {
  start_time: number;
  ivr_started_at?: number | null;
  ivr_ended_at?: number | null;
  forwarded_time?: number | null;
  connected_time?: number | null;
}

/** Every duration column of a call ending at `end`, and its billing. */
export function callDurations(r: CallTimes, end: number, ratePerMinute: number) {
  const total = secondsBetween(r.start_time, end);
  // A caller who hangs up in the menu spent the whole call there.
  const ivr = secondsBetween(r.ivr_started_at, r.ivr_ended_at ?? end);
  const waitFrom = r.ivr_ended_at ?? (r.forwarded_time != null ? r.start_time : null);
  const hold =
    r.forwarded_time == null && r.ivr_ended_at == null
      ? 0
      : secondsBetween(waitFrom, r.connected_time ?? end);
  const billable = billableMinutes(total);
  return {
    total_duration: total,
    ivr_duration: ivr,
    hold_duration: hold,
    dialed_call_duration: secondsBetween(r.connected_time, end),
    time_to_connect_in_seconds: ivr + hold,
    billable_minutes: billable,
    charge_total: chargeTotal(billable, ratePerMinute),
  };
}
