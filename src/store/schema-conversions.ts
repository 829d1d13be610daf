import type { Generated } from 'kysely';

/**
 * A campaign's conversion rule ("conversion criteria"): how long an answered call must last to convert
 * and what it earns. Amounts are integer cents (exact sums); a null affiliate/target means "any".
 */
export interface ConversionRulesTable {
  id: Generated<number>;
  company_id: number;
  campaign_id: number;
  seconds: number;
  revenue_cents: number;
  payout_cents: number;
  affiliate_id: number | null;
  target_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface ConversionTables {
  conversion_rules: ConversionRulesTable;
}
