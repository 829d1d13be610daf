/**
 * Money amounts (revenue, payout) are dollars with at most 2 decimals. They travel as numbers in the
 * API and in domain functions, and are stored as integer cents so sums and comparisons stay exact.
 */

/** Rounds to cents, half away from zero; the tiny nudge undoes binary-float artefacts like 1.005 → 1.00. */
export function roundMoney(amount: number): number {
  const cents = Math.round(Math.abs(amount) * 100 + 1e-7);
  return (Math.sign(amount) * cents) / 100 || 0;
}

/** Whether `amount` has no more than 2 decimals (1.1 and 1.10 yes, 1.105 no), tolerant of float noise. */
export function hasAtMostTwoDecimals(amount: number): boolean {
  return Number.isFinite(amount) && Math.abs(amount * 100 - Math.round(amount * 100)) < 1e-6;
}

export const toCents = (amount: number): number => Math.round(amount * 100);

export const fromCents = (cents: number): number => cents / 100;
