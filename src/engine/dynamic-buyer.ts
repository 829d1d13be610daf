/**
 * Dynamic buyers (seed 002, step 7): a target numbered `[inbound_number]` gets its number at dial time
 * from an RTB / call-reservation ping to the buyer's campaign (another Switchboard or Retreaver).
 * Rules in docs/compat.md "Dynamic buyers".
 */
import { Agent, request } from 'undici';
import type { SsrfGuard } from '../delivery/ssrf.js';
import { INBOUND_NUMBER_TAG } from '../domain/flow.js';
import { expandMacros, type MacroFacts } from '../domain/macros.js';
import { toE164 } from '../domain/phone.js';

export { INBOUND_NUMBER_TAG };
/** The call is waiting on hold meanwhile, so a slow buyer is treated as no buyer. */
export const PING_TIMEOUT_MS = 3000;
/** The call's tag that keeps the uuid of the buyer's reservation the call was sent to. */
export const RESERVATION_TAG = 'dynamic_reservation_uuid';

/** The buyer's answer as far as we read it (`/rtbs.json` bare, `/call_reservations.json` wrapped). */
export interface PingAnswer {
  status?: unknown;
  inbound_number?: unknown;
  uuid?: unknown;
  call_reservation?: PingAnswer;
}

/** Sends one ping; undefined or a throw both mean "no number". Injected so tests can fake the buyer. */
export type FetchPing = (url: string, body: Record<string, string>) => Promise<PingAnswer | undefined>;

export interface PingCall {
  /** The caller as the buyer will see the transferred call (it reserves for that caller). */
  callerNumber: string;
  publisherId: string;
  tags: Record<string, string>;
  /** Built-in macro values for placeholders in the URL (`[campaign_id]`, `[call_log_id]`, …). */
  facts?: Partial<MacroFacts>;
}

export interface DynamicNumber {
  number: string;
  reservationUuid: string | null;
}

/** Parameters the buyer reads as something other than a tag: never sent from a call's tags. */
const NOT_TAGS = new Set([
  'key',
  'api_key',
  'inbound_number',
  'publisher_id',
  'source_id',
  'affiliate_id',
  'caller_number',
  RESERVATION_TAG,
]);
const PUBLISHER_PARAMS = ['publisher_id', 'source_id', 'affiliate_id'];

/** Asks the buyer for a transfer number; undefined unless it answered `reserved` with a phone number. */
export async function pingBuyer(
  fetchPing: FetchPing,
  template: string,
  call: PingCall,
): Promise<DynamicNumber | undefined> {
  let answer: PingAnswer | undefined;
  try {
    const { url, body } = pingRequest(template, call);
    answer = await fetchPing(url, body);
  } catch {
    return undefined;
  }
  const a = answer?.call_reservation ?? answer;
  if (a?.status !== 'reserved') return undefined;
  const number = transferNumber(a.inbound_number);
  if (!number) return undefined;
  return { number, reservationUuid: typeof a.uuid === 'string' ? a.uuid : null };
}

/**
 * The URL with its placeholders filled (seed 002 step 3 writes `caller_number=[caller_number]&
 * affiliate_id=[publisher_id]…`) and the JSON body. The buyer lets the body win over the query, so the
 * body leaves out what the URL already says (a publisher the buyer set up, fixed tags).
 */
export function pingRequest(template: string, call: PingCall): { url: string; body: Record<string, string> } {
  const values = { caller_number: call.callerNumber, publisher_id: call.publisherId };
  const url = new URL(expandMacros(template, macroFacts(call, values)));
  // A placeholder nobody could fill would reach the buyer as a literal `[first_name]`: drop it.
  for (const [k, v] of [...url.searchParams]) if (/^\[[^\]]*\]$/.test(v)) url.searchParams.delete(k);
  const body: Record<string, string> = {};
  for (const [k, v] of Object.entries(call.tags)) if (!NOT_TAGS.has(k)) body[k] = v;
  Object.assign(body, values);
  if (PUBLISHER_PARAMS.some((p) => url.searchParams.has(p))) delete body.publisher_id;
  for (const k of url.searchParams.keys()) delete body[k];
  return { url: url.href, body };
}

function macroFacts(call: PingCall, values: Record<string, string>): MacroFacts {
  return {
    campaignCid: null,
    afid: call.publisherId,
    subId: null,
    caller: call.callerNumber,
    calledNumber: '',
    callDurationS: null,
    callUuid: '',
    recordingUrl: null,
    hasOffersCode: null,
    ...call.facts,
    tags: { ...call.tags, ...values },
  };
}

/** `"+18772435010"` (RTB) or `18772435010` (call reservation: E.164 digits as a JSON number). */
function transferNumber(raw: unknown): string | undefined {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) return toE164(`+${raw}`);
  if (typeof raw === 'string' && raw.trim()) return toE164(raw);
  return undefined;
}

/**
 * The real pinger: POST JSON through the SSRF guard (checked addresses only, as deliveries do), no
 * redirects, PING_TIMEOUT_MS of wall-clock time. Not the injected clock: this is network I/O while the
 * call's script runs, and a manual clock does not move while a script works.
 */
export function guardedFetchPing(guard: SsrfGuard, timeoutMs = PING_TIMEOUT_MS): FetchPing {
  const agent = new Agent({
    connect: { lookup: guard.lookup },
    keepAliveTimeout: 4_000,
    maxResponseSize: 64 * 1024,
  });
  return async (url, body) => {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    await guard.resolve(u.hostname);
    const res = await request(u, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      dispatcher: agent,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      return undefined;
    }
    return (await res.body.json()) as PingAnswer;
  };
}
