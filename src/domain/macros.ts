/**
 * Macro expansion for timer (pixel) URLs: `[caller_id]`, `[call_duration]`, … replaced by the call's
 * values, as in the seed's examples
 * (`http://www.thertrack.com/pixel.track?CID=[campaign_id]&…&MerchantReferenceID=[caller_id]-[called_number]-[call_duration]`).
 *
 * Rules (also in docs/compat.md):
 * - Built-in tokens are matched case-insensitively; a built-in with no value for this call expands to "".
 * - `[tag:KEY]` expands to the call's tag KEY, or "" when the call lacks it.
 * - A bare `[KEY]` that is no built-in expands to tag KEY when the call has it; otherwise it is left as
 *   written, because brackets are legitimate in URLs (`filter[name]=x`, `ids[]=1`) and must survive.
 * - Values are percent-encoded with encodeURIComponent (a caller id `+1…` becomes `%2B1…`, so it is not
 *   read back as a space). Tokens before the query (`?`) or fragment (`#`) are in path position and
 *   use encodeURI instead, which keeps `/ ? & =`: the seed puts `[has_offers_code]` there
 *   (`go2cloud.org/[has_offers_code]?adv_sub=…`) and such a code may be a path like `aff_lsr` or `SL1nN/x`.
 */

export interface MacroFacts {
  /** The campaign's `cid` (the customer's id): `[campaign_id]`. */
  campaignCid: string | null;
  /** The affiliate's `afid`: `[affiliate_id]`. */
  afid: string | null;
  /** The number's or call's sub id: `[sub_id]`. */
  subId: string | null;
  /** Caller's number, E.164: `[caller_id]`. */
  caller: string;
  /** The number dialled (ours): `[called_number]`. */
  calledNumber: string;
  /** Duration in seconds, floored to whole seconds: `[call_duration]`. */
  callDurationS: number | null;
  /** The call's uuid: `[call_log_id]`. */
  callUuid: string;
  /** `[call_recording_url]`; null while there is none. */
  recordingUrl: string | null;
  /** `[has_offers_code]`. */
  hasOffersCode: string | null;
  /** The call's tags, for `[tag:KEY]` and bare `[KEY]`. */
  tags: Record<string, string>;
}

type Getter = (f: MacroFacts) => string | number | null;

const BUILT_INS: Record<string, Getter> = {
  campaign_id: (f) => f.campaignCid,
  affiliate_id: (f) => f.afid,
  sub_id: (f) => f.subId,
  caller_id: (f) => f.caller,
  called_number: (f) => f.calledNumber,
  call_duration: (f) => (f.callDurationS === null ? null : Math.max(0, Math.floor(f.callDurationS))),
  call_log_id: (f) => f.callUuid,
  call_recording_url: (f) => f.recordingUrl,
  has_offers_code: (f) => f.hasOffersCode,
};

/** The built-in token names, without brackets. */
export const MACRO_TOKENS: readonly string[] = Object.keys(BUILT_INS);

// No nested brackets or whitespace inside a token: `[a b]` or `[[x]]` are not macros.
const TOKEN = /\[([^[\]\s]+)\]/g;

/** Expands every macro of `template` with this call's values (see the rules above). */
export function expandMacros(template: string, facts: MacroFacts): string {
  const queryStart = firstIndexOf(template, ['?', '#']);
  return template.replace(TOKEN, (whole, name: string, offset: number) => {
    const value = lookup(name, facts);
    if (value === undefined) return whole;
    return offset < queryStart ? encodeURI(value) : encodeURIComponent(value);
  });
}

/** A token's raw value: a string ("" when empty), or undefined to leave the token as written. */
function lookup(name: string, facts: MacroFacts): string | undefined {
  const lower = name.toLowerCase();
  if (Object.hasOwn(BUILT_INS, lower)) return String(BUILT_INS[lower](facts) ?? '');
  if (/^tag:/i.test(name)) return tagValue(facts.tags, name.slice(4)) ?? '';
  return tagValue(facts.tags, name);
}

/** Exact key first, then case-insensitively (tag keys come from callers and forms in any case). */
function tagValue(tags: Record<string, string>, key: string): string | undefined {
  if (Object.hasOwn(tags, key)) return tags[key];
  const lower = key.toLowerCase();
  const found = Object.keys(tags).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : tags[found];
}

function firstIndexOf(s: string, chars: string[]): number {
  const hits = chars.map((c) => s.indexOf(c)).filter((i) => i >= 0);
  return hits.length ? Math.min(...hits) : s.length;
}
