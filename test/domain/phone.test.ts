import { describe, expect, it } from 'vitest';
import { phoneInfo, toE164, toE164WithInfo } from '../../src/domain/phone.js';

describe('toE164WithInfo (one parse for an RTB ping)', () => {
  it('answers what toE164 and phoneInfo of its result answer', () => {
    const samples = [
      '+18558485518',
      '+1 (301) 555-0100',
      '+18668987878',
      '8668987878',
      '(415) 555-1234',
      '+18095551234',
      '+447911123456',
      '+61 2 9876 5432',
      '+4930123456',
      '+919876543210',
      '12345',
      'not a number',
      '+1 800 123 4567',
    ];
    for (const raw of samples) {
      const e164 = toE164(raw);
      const both = toE164WithInfo(raw);
      expect(both?.e164, raw).toBe(e164);
      if (e164) expect(both?.info, raw).toEqual(phoneInfo(e164));
    }
  });
});
