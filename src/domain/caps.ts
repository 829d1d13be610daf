import { DateTime } from 'luxon';

/**
 * Caps on targets and target groups: how many calls an owner may take in a period. Hourly, daily and
 * monthly caps restart at the start of each local hour/day/month of the owner's time zone; the hard cap
 * counts everything since its last reset.
 */
export type CapType = 'Hard' | 'Hourly' | 'Daily' | 'Monthly';

/** The seed always lists caps in this (alphabetical) order. */
export const CAP_TYPES: readonly CapType[] = ['Daily', 'Hard', 'Hourly', 'Monthly'];

/** The nested attribute that sets each cap (`hard_cap_attributes: {cap: 100}`). */
export const CAP_ATTRIBUTES = {
  hard_cap_attributes: 'Hard',
  hourly_cap_attributes: 'Hourly',
  daily_cap_attributes: 'Daily',
  monthly_cap_attributes: 'Monthly',
} as const satisfies Record<string, CapType>;

export type CapAttribute = keyof typeof CAP_ATTRIBUTES;

const PERIOD_UNIT = { Hourly: 'hour', Daily: 'day', Monthly: 'month' } as const;

/**
 * Epoch ms from which calls count against a cap at instant `nowMs`. Periodic caps start at the local
 * start of the hour/day/month in `ianaZone` (so a New York daily cap restarts at New York midnight, and
 * a 23- or 25-hour DST day is still one day). A hard cap counts what came after its last reset, or
 * everything when it was never reset.
 */
export function capWindowStart(
  type: CapType,
  nowMs: number,
  ianaZone: string,
  resetAt: number | null,
): number {
  // A reset clears every call up to and including its own millisecond ("resetting it to 0").
  if (type === 'Hard') return resetAt === null ? 0 : resetAt + 1;
  const local = DateTime.fromMillis(nowMs, { zone: ianaZone });
  if (!local.isValid) throw new Error(`unknown time zone: ${ianaZone}`);
  return local.startOf(PERIOD_UNIT[type]).toMillis();
}

/** True when a cap is set and already filled: the owner takes no more calls this period. */
export function capReached(cap: number | null, filled: number): boolean {
  return cap !== null && filled >= cap;
}
