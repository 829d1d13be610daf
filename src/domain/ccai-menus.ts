import { IANAZone } from 'luxon';
import { localTime } from './business-hours.js';
import { ValidationFailed } from './errors.js';

/**
 * Rules of CCAI menus (the contact center's IVR / mobile / web menu tree): opening hours, languages and
 * which call types a menu type takes. Pure; the service stores and the face presents.
 */
export const MENU_TYPES = ['ivr_menu', 'mobile_menu', 'web_menu'] as const;
export type MenuType = (typeof MENU_TYPES)[number];

export const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Day = (typeof DAYS)[number];

/** One opening interval on a weekday, `HH:MM` wall-clock times in the menu's zone; close is exclusive. */
export interface MenuInterval {
  day: Day;
  open: string;
  close: string;
}

export interface MenuHours {
  time_zone: string;
  schedule: MenuInterval[];
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** Checks hours as a client wrote them; the field errors name the interval. */
export function checkHours(hours: MenuHours): MenuHours {
  const errors: Record<string, string[]> = {};
  if (!IANAZone.isValidZone(hours.time_zone))
    errors['hours.time_zone'] = ['is not an IANA time zone (e.g. America/New_York)'];
  hours.schedule.forEach((iv, i) => {
    const at = `hours.schedule.${i}`;
    if (!DAYS.includes(iv.day)) errors[`${at}.day`] = [`must be one of ${DAYS.join(', ')}`];
    for (const f of ['open', 'close'] as const)
      if (!HHMM.test(iv[f])) errors[`${at}.${f}`] = ['must be a time HH:MM (00:00 to 24:00)'];
    if (HHMM.test(iv.open) && HHMM.test(iv.close) && minutes(iv.open) >= minutes(iv.close))
      errors[`${at}.close`] = ['must be later than open'];
  });
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  return hours;
}

/**
 * Whether a menu takes calls at `at`: without hours it is always open; with hours, only inside an
 * interval of the current weekday in its zone (a schedule with no interval covering now is after hours).
 */
export function menuOpenAt(hours: MenuHours | null, at: number): boolean {
  if (!hours) return true;
  const local = localTime(hours.time_zone, at);
  const minute = Math.floor(local.hhmm / 100) * 60 + (local.hhmm % 100);
  return hours.schedule.some(
    (iv) =>
      DAYS.indexOf(iv.day) === local.weekday && minute >= minutes(iv.open) && minute < minutes(iv.close),
  );
}

const names = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** A two-letter ISO 639-1 code that names a language (Intl's CLDR data knows them all). */
/**
 * Whether a menu turns a call away at `at`, and why: manual redirection (checked first, as the seed's
 * refusals are), or after hours. A scheduled call whose time comes then is deflected, not placed.
 */
export function deflectionAt(
  menu: { manual_redirection: number; hours: MenuHours | null },
  at: number,
): 'manual_redirection' | 'after_hours' | null {
  if (menu.manual_redirection === 1) return 'manual_redirection';
  return menuOpenAt(menu.hours, at) ? null : 'after_hours';
}

export function isLanguageCode(code: string): boolean {
  return /^[a-z]{2}$/.test(code) && names.of(code) !== undefined;
}

/** Languages as a client wrote them: lower-cased, each a known code, no repeats, at least one. */
export function checkLanguages(codes: string[]): string[] {
  const out = [...new Set(codes.map((c) => c.trim().toLowerCase()))];
  const unknown = out.filter((c) => !isLanguageCode(c));
  if (unknown.length)
    throw ValidationFailed.field('languages', `has unknown ISO 639-1 codes: ${unknown.join(', ')}`);
  if (!out.length) throw ValidationFailed.field('languages', "can't be empty");
  return out;
}

/** `materialized_path` of a menu: its ancestors' ids and its own, root first, joined by `/`. */
export function materializedPath(chain: number[]): string {
  return chain.join('/');
}
