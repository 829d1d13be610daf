import { type Selectable, sql } from 'kysely';
import type { Clock } from '../clock.js';
import { type FieldErrors, NotFound, ValidationFailed } from '../domain/errors.js';
import { toE164 } from '../domain/phone.js';
import type { Db } from '../store/db.js';
import { fetchPage, type Page, PER_PAGE } from '../store/paging.js';
import type { CallsTable, FiredPixelsTable } from '../store/schema-calls.js';
import { type CallDetails, callDetails } from './call-details.js';

export type Call = Selectable<CallsTable>;
export type FiredPixel = Selectable<FiredPixelsTable>;

/** A call with what was fired for it (the V2 representation needs both). */
export interface CallWithPixels {
  call: Call;
  pixels: FiredPixel[];
}

/** The list parameters of both Calls API versions, as they arrive in the query string. */
export interface CallListParams {
  page?: number;
  created_at_start?: string;
  created_at_end?: string;
  sort_by?: string;
  order?: string;
  caller?: string;
  client_afid?: string;
  client_cid?: string;
  client_tid?: string;
  sub_id?: string;
}

/** The parameters checked and normalized; unset bounds and filters are undefined. */
export interface CallFilter {
  from?: number;
  until?: number;
  sortBy: 'created_at' | 'updated_at';
  order: 'asc' | 'desc';
  caller?: string;
  afid?: string;
  cid?: string;
  tid?: string;
  sid?: string;
}

/** The call log (read side): the engine writes `calls` and `fired_pixels`, this pages and filters them. */
export class CallService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Now, for fields measured up to the moment of the request (time_to_call_in_seconds). */
  now(): number {
    return this.clock.now();
  }

  list(companyId: number, params: CallListParams): Promise<Page<Call>> {
    const filter = parseCallFilter(params);
    let q = this.db.selectFrom('calls').selectAll().where('company_id', '=', companyId);
    if (filter.from !== undefined) q = q.where('created_at', '>=', filter.from);
    if (filter.until !== undefined) q = q.where('created_at', '<', filter.until);
    if (filter.caller !== undefined) q = q.where('caller', '=', filter.caller);
    if (filter.afid !== undefined) q = q.where('afid', '=', filter.afid);
    if (filter.cid !== undefined) q = q.where('cid', '=', filter.cid);
    if (filter.tid !== undefined) q = q.where('tid', '=', filter.tid);
    if (filter.sid !== undefined) q = q.where('sid', '=', filter.sid);
    // id breaks ties, so offset paging in ascending created_at order never skips or repeats a call:
    // new calls sort after every call already there.
    q = q.orderBy(filter.sortBy, filter.order).orderBy('id', filter.order);
    const unfiltered = Object.values(filter).every(
      (v) => v === undefined || v === filter.sortBy || v === filter.order,
    );
    return fetchPage(q, params.page ?? 1, PER_PAGE, {
      // The unfiltered total is kept per company by triggers (migration 0070): no count over every call.
      total: unfiltered ? () => this.companyTotal(companyId) : undefined,
      deferredJoin: true,
    });
  }

  private async companyTotal(companyId: number): Promise<number> {
    const row = await this.db
      .selectFrom('call_counts')
      .select(sql<number | string>`coalesce(sum(n), 0)`.as('n'))
      .where('company_id', '=', companyId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async listWithPixels(companyId: number, params: CallListParams): Promise<Page<CallWithPixels>> {
    const page = await this.list(companyId, params);
    const pixels = await this.pixelsOf(
      companyId,
      page.rows.map((c) => c.uuid),
    );
    return { ...page, rows: page.rows.map((call) => ({ call, pixels: pixels.get(call.uuid) ?? [] })) };
  }

  /** A call of this company by uuid; another company's call is as unknown as a made-up uuid. */
  async get(companyId: number, uuid: string): Promise<Call> {
    const call = await this.db
      .selectFrom('calls')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('uuid', '=', uuid)
      .executeTakeFirst();
    if (!call) throw new NotFound('Call');
    return call;
  }

  async getWithPixels(companyId: number, uuid: string): Promise<CallWithPixels> {
    const call = await this.get(companyId, uuid);
    const pixels = await this.pixelsOf(companyId, [uuid]);
    return { call, pixels: pixels.get(uuid) ?? [] };
  }

  /** Legs, transfers and the claimed reservation of these calls (V3). */
  details(companyId: number, uuids: string[]): Promise<Map<string, CallDetails>> {
    return callDetails(this.db, companyId, uuids);
  }

  /** Fired pixels of several calls in one query: pending ones (higher fire_order) first, then as fired. */
  private async pixelsOf(companyId: number, uuids: string[]): Promise<Map<string, FiredPixel[]>> {
    const out = new Map<string, FiredPixel[]>();
    if (!uuids.length) return out;
    const rows = await this.db
      .selectFrom('fired_pixels')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('call_uuid', 'in', uuids)
      .orderBy('fire_order', 'desc')
      .orderBy('id', 'asc')
      .execute();
    for (const r of rows) {
      const list = out.get(r.call_uuid);
      if (list) list.push(r);
      else out.set(r.call_uuid, [r]);
    }
    return out;
  }
}

/** Checks every list parameter at once, so a 400 names all the bad ones. */
export function parseCallFilter(params: CallListParams): CallFilter {
  const errors: FieldErrors = {};
  const fail = (field: string, message: string) => {
    errors[field] = [message];
    return undefined;
  };
  const bound = (field: 'created_at_start' | 'created_at_end') => {
    const raw = params[field];
    if (raw === undefined || raw === '') return undefined;
    const ms = parseRfc3339(raw);
    return ms === undefined ? fail(field, 'is not an RFC 3339 time (YYYY-MM-DDTHH:MM:SS+HH:MM)') : ms;
  };
  const from = bound('created_at_start');
  const until = bound('created_at_end');
  const sortBy =
    oneOf(params.sort_by, ['created_at', 'updated_at'] as const, 'created_at') ??
    fail('sort_by', 'must be created_at or updated_at');
  const order = oneOf(params.order, ['asc', 'desc'] as const, 'desc') ?? fail('order', 'must be asc or desc');
  let caller: string | undefined;
  if (params.caller !== undefined && params.caller.trim() !== '') {
    caller = toE164(params.caller) ?? fail('caller', 'is not a valid phone number');
  }
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  return {
    from,
    until,
    sortBy: sortBy!,
    // The seed: "calls sorted by updated_at will forcefully be returned in desc order".
    order: sortBy === 'updated_at' ? 'desc' : order!,
    caller,
    afid: present(params.client_afid),
    cid: present(params.client_cid),
    tid: present(params.client_tid),
    sid: present(params.sub_id),
  };
}

function oneOf<T extends string>(raw: string | undefined, allowed: readonly T[], fallback: T): T | undefined {
  if (raw === undefined || raw === '') return fallback;
  return (allowed as readonly string[]).includes(raw) ? (raw as T) : undefined;
}

/** A blank filter (`client_cid=`) filters nothing, as Rails' `.present?` checks would. */
const present = (raw: string | undefined) => (raw === undefined || raw === '' ? undefined : raw);

// Date, optional time (T, t or space), optional fraction, optional offset. A `+` sent unencoded in a query
// string arrives as a space, so ` 00:00` is read as `+00:00`. Years may be signed (the seed's -4712 default).
const RFC3339 =
  /^([+-]?\d{4,6})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?)?\s*(?:([Zz])|([+\- ])(\d\d):?(\d\d))?$/;

/** Epoch ms of an RFC 3339 timestamp, or undefined when it is not one (or names an impossible date). */
export function parseRfc3339(raw: string): number | undefined {
  const m = RFC3339.exec(raw.trim());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, Math.min(second, 59), ms);
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== day) return undefined;
  let offsetMin = 0;
  if (m[9] !== undefined) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return date.getTime() - offsetMin * 60_000;
}
