import { type CountryCode, type PhoneNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { ValidationFailed } from './errors.js';

const SIP_URI = /^sips?:[^@\s]+@[A-Za-z0-9.-]+(:\d{1,5})?(;[^\s]*)?$/;

export function isSipUri(value: string): boolean {
  return SIP_URI.test(value);
}

/**
 * E.164 form of a phone number, or undefined when it cannot be one. Numbers without a country code are
 * read as North American, as Retreaver's own examples ("8668987878") are. A number of the right length
 * for its country is accepted even where the numbering plan has no such range: the seed's own examples
 * use them (+18001234567), and caller ids are whatever the network hands us.
 */
export function toE164(raw: string, defaultCountry: CountryCode = 'US'): string | undefined {
  const trimmed = raw.trim();
  if (!/^[+\d\s().-]+$/.test(trimmed)) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
  if (!parsed?.isPossible()) return undefined;
  return parsed.number;
}

/** Normalizes a number field or throws a 400-mapped validation error naming the field. */
export function normalizePhone(field: string, raw: string, opts: { allowSip?: boolean } = {}): string {
  const value = raw.trim();
  if (opts.allowSip && /^sips?:/i.test(value)) {
    if (!isSipUri(value)) throw ValidationFailed.field(field, 'is not a valid SIP URI (sip:user@domain)');
    return value;
  }
  const e164 = toE164(value);
  if (!e164)
    throw ValidationFailed.field(field, `is not a valid phone number${opts.allowSip ? ' or SIP URI' : ''}`);
  return e164;
}

export interface PhoneInfo {
  country: string | undefined;
  /** National area code where the numbering plan has one (NANP: the first three digits). */
  areaCode: string | undefined;
  tollFree: boolean;
}

export function phoneInfo(e164: string): PhoneInfo {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return { country: undefined, areaCode: undefined, tollFree: false };
  return infoOf(parsed);
}

/**
 * `toE164` and `phoneInfo` of its answer, parsing once where that gives the same answer: a number
 * written with its country code reads the same with or without a default country (an RTB ping needs
 * both, and parsing is most of their cost).
 */
export function toE164WithInfo(
  raw: string,
  defaultCountry: CountryCode = 'US',
): { e164: string; info: PhoneInfo } | undefined {
  const trimmed = raw.trim();
  if (!/^[+\d\s().-]+$/.test(trimmed)) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
  if (!parsed?.isPossible()) return undefined;
  return {
    e164: parsed.number,
    info: trimmed.startsWith('+') ? infoOf(parsed) : phoneInfo(parsed.number),
  };
}

function infoOf(parsed: PhoneNumber): PhoneInfo {
  const national = parsed.nationalNumber;
  return {
    country: parsed.country,
    areaCode: parsed.countryCallingCode === '1' ? national.slice(0, 3) : undefined,
    tollFree: parsed.getType() === 'TOLL_FREE',
  };
}

/** A number as people write it internationally (`+1 339-219-5276`); anything unparsable as given. */
export function internationalFormat(number: string): string {
  return parsePhoneNumberFromString(number)?.formatInternational() ?? number;
}
