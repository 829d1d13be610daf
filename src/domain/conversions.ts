/**
 * Whether a call converted, and what it earns: a campaign's conversion rules ("conversion criteria")
 * say how long the answered call must last and what the buyer pays (revenue) and the publisher gets
 * (payout). The outcome fills the V2 call fields converted, payable, receivable, revenue, payout,
 * conversion_seconds, payable_duplicate and receivable_duplicate.
 *
 * Rules (also in docs/compat.md):
 * - A rule applies to a call when its target_id and affiliate_id are null or equal the call's.
 * - The most specific tier of applicable rules decides alone: target+affiliate, else target, else
 *   affiliate, else campaign-wide. A more specific rule overrides the general ones rather than adding
 *   to them: a buyer who asks 120 s must not be billed for a 90 s call under the campaign's 60 s rule.
 * - Within that tier the met rule with the highest `seconds` wins (ties: the one created first).
 * - Thresholds move by the target's timer_offset (clamped at 0), like sale timers. A call that was never
 *   answered converts under no rule, not even a 0-second one.
 * - A duplicate that would otherwise convert still counts as converted (it met the criteria) but is not
 *   payable / receivable: the matching *_duplicate flag is set and that side's amount is 0, so revenue
 *   and payout totals only count what is owed. Calls that do not convert show null amounts (the seed).
 */
import { roundMoney } from './money.js';

export interface ConversionRule {
  id: number;
  /** Connected seconds the call must last. */
  seconds: number;
  /** Owed by the buyer, dollars. */
  revenue: number;
  /** Owed to the publisher, dollars. */
  payout: number;
  /** Internal affiliate id; null/absent: any affiliate. */
  affiliate_id?: number | null;
  /** Internal target id; null/absent: any target. */
  target_id?: number | null;
}

export interface ConversionCallFacts {
  /** Seconds the call was connected to a target; null when it never was. */
  connectedSeconds: number | null;
  targetId: number | null;
  affiliateId: number | null;
  /** The connected target's timer_offset in seconds (0 when none). */
  timerOffsetS: number;
  /** Repeat caller within the publisher-side dedupe window: no payout is owed. */
  payableDuplicate: boolean;
  /** Repeat caller within the buyer-side dedupe window: no revenue is owed. */
  receivableDuplicate: boolean;
}

export interface ConversionOutcome {
  converted: boolean;
  payable: boolean;
  receivable: boolean;
  revenue: number | null;
  payout: number | null;
  /** The met rule's threshold after the target's offset. */
  conversion_seconds: number | null;
  payable_duplicate: boolean;
  receivable_duplicate: boolean;
  /** The rule that decided the conversion (for logs and call details). */
  rule_id: number | null;
}

const NOT_CONVERTED: ConversionOutcome = {
  converted: false,
  payable: false,
  receivable: false,
  revenue: null,
  payout: null,
  conversion_seconds: null,
  payable_duplicate: false,
  receivable_duplicate: false,
  rule_id: null,
};

/** Decides the conversion of an ended call (see the rules above). */
export function decideConversion(
  rules: readonly ConversionRule[],
  facts: ConversionCallFacts,
): ConversionOutcome {
  if (facts.connectedSeconds === null) return { ...NOT_CONVERTED };
  const rule = winningRule(rules, facts);
  if (!rule) return { ...NOT_CONVERTED };
  return {
    converted: true,
    payable: !facts.payableDuplicate,
    receivable: !facts.receivableDuplicate,
    revenue: facts.receivableDuplicate ? 0 : roundMoney(rule.revenue),
    payout: facts.payableDuplicate ? 0 : roundMoney(rule.payout),
    conversion_seconds: conversionThreshold(rule, facts.timerOffsetS),
    payable_duplicate: facts.payableDuplicate,
    receivable_duplicate: facts.receivableDuplicate,
    rule_id: rule.id,
  };
}

/** The rules that decide for this call: the most specific applicable tier, in creation order. */
export function decidingRules(
  rules: readonly ConversionRule[],
  facts: Pick<ConversionCallFacts, 'targetId' | 'affiliateId'>,
) {
  const applicable = rules.filter((r) => applies(r, facts));
  const best = Math.max(-1, ...applicable.map(specificity));
  return applicable.filter((r) => specificity(r) === best).sort((a, b) => a.id - b.id);
}

/** A rule's threshold in connected seconds, after the target's timer_offset (never below 0). */
export function conversionThreshold(rule: Pick<ConversionRule, 'seconds'>, timerOffsetS: number): number {
  return Math.max(0, rule.seconds + timerOffsetS);
}

function winningRule(rules: readonly ConversionRule[], facts: ConversionCallFacts): ConversionRule | null {
  let winner: ConversionRule | null = null;
  for (const r of decidingRules(rules, facts)) {
    if (facts.connectedSeconds! < conversionThreshold(r, facts.timerOffsetS)) continue;
    // Raw seconds, not the offset threshold: rules clamped to the same 0 still rank by their own value.
    if (!winner || r.seconds > winner.seconds) winner = r;
  }
  return winner;
}

function applies(r: ConversionRule, facts: Pick<ConversionCallFacts, 'targetId' | 'affiliateId'>): boolean {
  const target = r.target_id ?? null;
  const affiliate = r.affiliate_id ?? null;
  return (
    (target === null || target === facts.targetId) && (affiliate === null || affiliate === facts.affiliateId)
  );
}

/** target+affiliate 3, target 2, affiliate 1, campaign-wide 0: the buyer's terms outrank the publisher's. */
function specificity(r: ConversionRule): number {
  return ((r.target_id ?? null) !== null ? 2 : 0) + ((r.affiliate_id ?? null) !== null ? 1 : 0);
}

/**
 * Why a call converted or not, in a few words for its journey (call-flow `conversion_decided`): which
 * rule met, or what stood in the way.
 */
export function conversionReason(
  rules: readonly ConversionRule[],
  facts: ConversionCallFacts,
  out: ConversionOutcome,
): string {
  if (out.converted) {
    const duplicate =
      out.payable_duplicate || out.receivable_duplicate ? ' (duplicate: nothing owed on that side)' : '';
    return `rule ${out.rule_id} met: connected ${facts.connectedSeconds} s ≥ ${out.conversion_seconds} s${duplicate}`;
  }
  if (facts.connectedSeconds === null) return 'never connected';
  if (rules.length === 0) return 'the campaign has no conversion rules';
  const deciding = decidingRules(rules, facts);
  if (deciding.length === 0) return 'no rule applies to this buyer and publisher';
  const lowest = Math.min(...deciding.map((r) => conversionThreshold(r, facts.timerOffsetS)));
  return `connected ${facts.connectedSeconds} s < ${lowest} s, the lowest threshold of the rules that apply`;
}
