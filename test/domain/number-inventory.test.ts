import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import {
  type Candidate,
  candidates,
  type InventoryRequest,
  NUMBER_COUNTRIES,
  TOLL_FREE_PREFIXES,
  vanityDigits,
} from '../../src/domain/number-inventory.js';

/** A deterministic random source (mulberry32), so failures reproduce. */
function seeded(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function take(req: InventoryRequest, n: number, seed = 1): Candidate[] {
  const out: Candidate[] = [];
  for (const c of candidates(req, seeded(seed))) {
    out.push(c);
    if (out.length === n) break;
  }
  return out;
}

describe('vanityDigits', () => {
  it('maps letters to keypad digits, keeps digits and drops the rest', () => {
    expect(vanityDigits('TEST')).toBe('8378');
    expect(vanityDigits('call-me 4u')).toBe('2255634' + '8');
    expect(vanityDigits('abcdefghijklmnopqrstuvwxyz')).toBe('22233344455566677778889999');
    expect(vanityDigits(null)).toBe('');
    expect(vanityDigits('!!')).toBe('');
  });
});

describe('candidates', () => {
  it('proposes valid US toll-free numbers with the toll-free prefixes', () => {
    for (const c of take({ type: 'Toll-free', country: 'US' }, 50)) {
      const parsed = parsePhoneNumberFromString(c.number)!;
      expect(parsed.isValid()).toBe(true);
      expect(parsed.getType()).toBe('TOLL_FREE');
      expect(TOLL_FREE_PREFIXES).toContain(c.number.slice(2, 5));
      expect(c.tollFree).toBe(true);
      expect(c.vanity).toBe(false);
    }
  });

  it('puts the desired text digits into the number (TEST → 8378)', () => {
    const list = take({ type: 'Toll-free', country: 'US', desiredText: 'TEST' }, 20);
    for (const c of list) {
      expect(c.vanity).toBe(true);
      expect(c.number.slice(5)).toContain('8378');
      expect(parsePhoneNumberFromString(c.number)!.getType()).toBe('TOLL_FREE');
    }
  });

  it('falls back to ordinary numbers when the text cannot fit', () => {
    const [c] = take({ type: 'Toll-free', country: 'US', desiredText: 'SUPERLONGWORD' }, 1);
    expect(c.vanity).toBe(false);
    expect(parsePhoneNumberFromString(c.number)!.isValid()).toBe(true);
  });

  it('falls back after the vanity tries are used up', () => {
    const gen = candidates({ type: 'Local', country: 'US', desiredText: 'HELLO' }, seeded(3), 5);
    const seen: Candidate[] = [];
    for (const c of gen) {
      seen.push(c);
      if (!c.vanity) break;
    }
    expect(seen.filter((c) => c.vanity).length).toBeLessThanOrEqual(5);
    expect(seen[seen.length - 1].vanity).toBe(false);
  });

  it.each(NUMBER_COUNTRIES)('proposes valid local numbers in %s', (country) => {
    for (const c of take({ type: 'Local', country }, 20, country.charCodeAt(0))) {
      const parsed = parsePhoneNumberFromString(c.number)!;
      expect(parsed.isValid()).toBe(true);
      expect(parsed.country).toBe(country);
      expect(['FIXED_LINE', 'FIXED_LINE_OR_MOBILE']).toContain(parsed.getType());
      expect(c.tollFree).toBe(false);
    }
  });

  it('treats a toll-free request for another country as a North American toll-free number', () => {
    const [c] = take({ type: 'Toll-free', country: 'GB' }, 1);
    expect(c.number.startsWith('+1')).toBe(true);
    expect(parsePhoneNumberFromString(c.number)!.getType()).toBe('TOLL_FREE');
  });

  it('is deterministic for a given random source', () => {
    expect(take({ type: 'Local', country: 'FR' }, 5, 42)).toEqual(
      take({ type: 'Local', country: 'FR' }, 5, 42),
    );
  });

  it('fails loudly instead of hanging on a broken random source', () => {
    // Always 0.999…: every draw is +32 3 9999999, which is not a valid Belgian line.
    const gen = candidates({ type: 'Local', country: 'BE' }, () => 0.9999999);
    expect(() => gen.next()).toThrow(/no valid numbers/);
  });
});
