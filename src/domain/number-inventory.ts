import { type CountryCode, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { DomainError } from './errors.js';
import type { Random } from './random-ids.js';

/**
 * The simulated number inventory: stands in for a carrier's stock of numbers. Pure: it proposes valid
 * candidates; whoever allocates checks them against the numbers already in use.
 */
/** No unused number could be drawn for a pool (the inventory of that type and country is used up). */
export class InventoryExhausted extends DomainError {
  readonly code = 'inventory_exhausted';
  constructor() {
    super('number inventory exhausted');
  }
}

export const NUMBER_TYPES = ['Toll-free', 'Local'] as const;
export type NumberType = (typeof NUMBER_TYPES)[number];

export const NUMBER_COUNTRIES = [
  'US',
  'CA',
  'AT',
  'BE',
  'DK',
  'FI',
  'FR',
  'GB',
  'IE',
  'IT',
  'NL',
  'PL',
  'SE',
] as const;
export type NumberCountry = (typeof NUMBER_COUNTRIES)[number];

export const TOLL_FREE_PREFIXES = ['800', '888', '877', '866', '855', '844', '833'];

interface Plan {
  country: CountryCode;
  /** Area codes (national prefixes) numbers are drawn from. */
  prefixes: string[];
  /** Digits of the national significant number, prefix included. */
  length: number;
  types: string[];
}

// A handful of real geographic area codes per country; the validity check weeds out impossible draws.
const LOCAL: Record<NumberCountry, Omit<Plan, 'country' | 'types'>> = {
  US: {
    prefixes: ['212', '213', '305', '312', '404', '415', '512', '617', '702', '713', '206', '303'],
    length: 10,
  },
  CA: { prefixes: ['416', '647', '514', '604', '403', '613', '780', '902'], length: 10 },
  AT: { prefixes: ['316', '512', '662'], length: 10 },
  BE: { prefixes: ['2', '3'], length: 8 },
  DK: { prefixes: ['3', '4', '7'], length: 8 },
  FI: { prefixes: ['9'], length: 9 },
  FR: { prefixes: ['1', '2', '4', '5'], length: 9 },
  GB: { prefixes: ['161', '121', '113', '20'], length: 10 },
  IE: { prefixes: ['1', '21', '91'], length: 8 },
  IT: { prefixes: ['02', '06', '011'], length: 10 },
  NL: { prefixes: ['20', '10', '30'], length: 9 },
  PL: { prefixes: ['22', '12', '61'], length: 9 },
  SE: { prefixes: ['8', '31', '40'], length: 9 },
};

const LOCAL_TYPES = ['FIXED_LINE', 'FIXED_LINE_OR_MOBILE'];

function planFor(type: NumberType, country: NumberCountry): Plan {
  // Toll-free numbers are North American toll-free numbers whatever the country asked for.
  if (type === 'Toll-free')
    return { country: 'US', prefixes: TOLL_FREE_PREFIXES, length: 10, types: ['TOLL_FREE'] };
  return { country, ...LOCAL[country], types: LOCAL_TYPES };
}

const KEYPAD: Record<string, string> = {};
for (const [digit, letters] of Object.entries({
  2: 'ABC',
  3: 'DEF',
  4: 'GHI',
  5: 'JKL',
  6: 'MNO',
  7: 'PQRS',
  8: 'TUV',
  9: 'WXYZ',
})) {
  for (const l of letters) KEYPAD[l] = digit;
}

/** The keypad digits that spell `text` (TEST → 8378); digits stay, anything else is dropped. */
export function vanityDigits(text: string | null | undefined): string {
  let out = '';
  for (const ch of (text ?? '').toUpperCase()) {
    if (/\d/.test(ch)) out += ch;
    else if (KEYPAD[ch]) out += KEYPAD[ch];
  }
  return out;
}

export interface InventoryRequest {
  type: NumberType;
  country: NumberCountry;
  desiredText?: string | null;
}

export interface Candidate {
  number: string;
  tollFree: boolean;
  /** True when the number contains the desired text's digits. */
  vanity: boolean;
}

const digit = (random: Random) => String(Math.floor(random() * 10) % 10);
const pick = <T>(random: Random, list: readonly T[]): T =>
  list[Math.floor(random() * list.length) % list.length];

/** One draw: prefix, then random digits, with `fixed` placed at a random offset after the prefix. */
function draw(plan: Plan, random: Random, fixed: string): string {
  const prefix = pick(random, plan.prefixes);
  const free = plan.length - prefix.length;
  const at = Math.floor(random() * (free - fixed.length + 1));
  let rest = '';
  for (let i = 0; i < free; i++) rest += i >= at && i < at + fixed.length ? fixed[i - at] : digit(random);
  return `+${getCountryCallingCode(plan.country)}${prefix}${rest}`;
}

function usable(e164: string, plan: Plan): boolean {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed?.isValid()) return false;
  if (plan.types[0] !== 'TOLL_FREE' && parsed.country !== plan.country) return false;
  return plan.types.includes(parsed.getType() ?? '');
}

/**
 * Valid candidates in the order worth trying: up to `vanityTries` draws spelling the desired text, then
 * ordinary numbers for ever (the caller stops when one is free). Text too long to fit falls back at once.
 */
export function* candidates(req: InventoryRequest, random: Random, vanityTries = 200): Generator<Candidate> {
  const plan = planFor(req.type, req.country);
  const tollFree = req.type === 'Toll-free';
  const wanted = vanityDigits(req.desiredText);
  const fits =
    wanted.length > 0 && wanted.length <= plan.length - Math.max(...plan.prefixes.map((p) => p.length));
  if (fits) {
    for (let i = 0; i < vanityTries; i++) {
      const n = draw(plan, random, wanted);
      if (usable(n, plan)) yield { number: n, tollFree, vanity: true };
    }
  }
  let misses = 0;
  for (;;) {
    const n = draw(plan, random, '');
    if (usable(n, plan)) {
      misses = 0;
      yield { number: n, tollFree, vanity: false };
    } else if (++misses > 10_000) {
      // Only a broken random source gets here; better an error than a hung request.
      throw new Error('number inventory: random source produces no valid numbers');
    }
  }
}
