/**
 * When a campaign's timers (tracking pixels) fire. The seed: "We will fire any 0 second timer ('click
 * timer') before firing a sale timer (> 0 seconds). Only the highest second value sale timer that is
 * applicable to this call will be fired", "All > 0 second timers will start when the call is
 * answered", dedupe "Prevent a repeat caller from causing any Connect (timer.seconds == 0) or Sale
 * (timer.seconds > 0) timer from firing … Does not affect < 0 second timers", and a target's
 * `timer_offset` "Offsets any timers on Tracking URLs or Conversion Criteria when routing to this target".
 *
 * Three kinds, by `seconds`:
 * - 0, click timers: all of them fire at call start, whether or not the call is ever answered.
 * - > 0, sale timers: one `seconds` value per call, the highest threshold the answered (connected) time
 *   reached (every timer sharing that value fires).
 *   Thresholds move by the target's timer_offset (clamped at 0).
 * - < 0, end timers: all of them fire once the call has ended, for every call, duplicates included.
 *
 * Which sale timer is "the highest applicable" is only known when the call ends: a 60 s call with
 * timers at 30 and 90 fires the 30, a 120 s call fires only the 90. So the lower ones are decided at the
 * end. The highest timer of all can never be superseded, though, so it fires the moment its threshold is
 * reached while the call is still up (`early`): the buyer's pixel is not delayed by a two-hour call.
 *
 * All times are epoch milliseconds; functions are pure.
 */

export interface Timer {
  id: number;
  seconds: number;
  url: string;
}

export interface TimerCallFacts {
  startedAt: number;
  /** When the call was answered by a target; null if it never was (yet). */
  connectedAt: number | null;
  endedAt: number | null;
  /** The connected target's `timer_offset` in seconds (0 when none). */
  timerOffsetS: number;
  /** A repeat caller within the campaign's `dedupe_seconds`: click and sale timers are suppressed. */
  duplicate: boolean;
}

export interface SaleTimerSchedule {
  /** The highest sale timers and when they become due; fire them then if the call is still connected. */
  early: { timers: Timer[]; dueAt: number } | null;
  /** Once the call has ended: the sale timers to fire (skip those that already fired early); else []. */
  atEnd: Timer[];
}

/** Orders by seconds, then id, so equal thresholds fire in creation order. */
const bySecondsThenId = (a: Timer, b: Timer) => a.seconds - b.seconds || a.id - b.id;

/** Click timers (0 s) to fire at call start, before anything else; none for a duplicate call. */
export function timersAtStart(timers: readonly Timer[], facts: Pick<TimerCallFacts, 'duplicate'>): Timer[] {
  if (facts.duplicate) return [];
  return timers.filter((t) => t.seconds === 0).sort(bySecondsThenId);
}

/** A sale timer's threshold in seconds of connected time, after the target's offset (never below 0). */
export function effectiveSeconds(seconds: number, timerOffsetS: number): number {
  return Math.max(0, seconds + timerOffsetS);
}

/**
 * The sale timer plan for a call: the highest timers early at their due time (once connected), and the
 * highest reached at the end (once ended). "The highest" is a `seconds` value: several timers sharing it
 * (pixels for two networks at 90 s) all fire, in creation order.
 */
export function saleTimerSchedule(timers: readonly Timer[], facts: TimerCallFacts): SaleTimerSchedule {
  const sale = timers.filter((t) => t.seconds > 0).sort(bySecondsThenId);
  if (facts.duplicate || facts.connectedAt === null || sale.length === 0) return { early: null, atEnd: [] };
  const topSeconds = sale[sale.length - 1].seconds;
  const dueAt = facts.connectedAt + effectiveSeconds(topSeconds, facts.timerOffsetS) * 1000;
  const dueWhileUp = facts.endedAt === null || facts.endedAt >= dueAt;
  return {
    early: dueWhileUp ? { timers: sale.filter((t) => t.seconds === topSeconds), dueAt } : null,
    atEnd:
      facts.endedAt === null
        ? []
        : highestReached(sale, facts.endedAt - facts.connectedAt, facts.timerOffsetS),
  };
}

/** Every timer with the highest `seconds` whose (offset) threshold the connected time reached. */
function highestReached(sorted: Timer[], connectedMs: number, offsetS: number): Timer[] {
  const reached = sorted.filter((t) => connectedMs >= effectiveSeconds(t.seconds, offsetS) * 1000);
  if (reached.length === 0) return [];
  const best = reached[reached.length - 1].seconds;
  return reached.filter((t) => t.seconds === best);
}

/** End timers (< 0 s) to fire once the call has ended, every call alike; most negative first. */
export function timersAtEnd(timers: readonly Timer[], facts: Pick<TimerCallFacts, 'endedAt'>): Timer[] {
  if (facts.endedAt === null) return [];
  return timers.filter((t) => t.seconds < 0).sort(bySecondsThenId);
}

/**
 * Whether a call is a repeat within the campaign's dedupe window: `previousStartedAt` is the start of the
 * same caller's latest earlier call to the campaign. 0 disables dedupe; the window is exclusive at its
 * end (a call exactly `dedupeSeconds` later is new again).
 */
export function isDuplicateCall(
  startedAt: number,
  previousStartedAt: number | null,
  dedupeSeconds: number,
): boolean {
  if (dedupeSeconds <= 0 || previousStartedAt === null) return false;
  const sinceMs = startedAt - previousStartedAt;
  return sinceMs >= 0 && sinceMs < dedupeSeconds * 1000;
}
