import type { Conn } from './db.js';

/** One live call as the dashboard's Live board shows it (times in ms since the epoch). */
export interface LiveCallRow {
  uuid: string;
  caller: string;
  number: string;
  cid: string | null;
  campaign_name: string | null;
  afid: string | null;
  affiliate_name: string | null;
  target_name: string | null;
  dialed_number: string | null;
  status: string;
  start_time: number;
  connected_time: number | null;
  legs: LiveLegRow[];
}

export interface LiveLegRow {
  id: string;
  direction: string;
  to: string;
  status: string;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
}

const CALL_COLUMNS = [
  'uuid',
  'caller',
  'number',
  'cid',
  'campaign_name',
  'afid',
  'affiliate_name',
  'target_name',
  'dialed_number',
  'status',
  'start_time',
  'connected_time',
] as const;

/** The company's calls in progress (or the one named), each with its legs, oldest first. */
export async function liveCalls(conn: Conn, companyId: number, uuid?: string): Promise<LiveCallRow[]> {
  let q = conn
    .selectFrom('calls')
    .select(CALL_COLUMNS)
    .where('company_id', '=', companyId)
    .orderBy('start_time')
    .orderBy('id');
  q = uuid === undefined ? q.where('status', '=', 'in-progress') : q.where('uuid', '=', uuid);
  const calls = await q.execute();
  if (calls.length === 0) return [];
  const legs = await conn
    .selectFrom('call_legs')
    .select(['id', 'call_uuid', 'direction', 'to_number', 'status', 'started_at', 'answered_at', 'ended_at'])
    .where('company_id', '=', companyId)
    .where(
      'call_uuid',
      'in',
      calls.map((c) => c.uuid),
    )
    .orderBy('started_at')
    .execute();
  return calls.map((c) => ({
    ...c,
    legs: legs
      .filter((l) => l.call_uuid === c.uuid)
      .map(({ call_uuid: _, to_number, ...l }) => ({ ...l, to: to_number })),
  }));
}

/** Calls that started at or after `since`, and how many of them reached a buyer. */
export async function callsSince(
  conn: Conn,
  companyId: number,
  since: number,
): Promise<{ calls: number; connected: number }> {
  const row = await conn
    .selectFrom('calls')
    .select((eb) => [
      eb.fn.countAll<string | number>().as('calls'),
      eb.fn.sum<string | number | null>('connected').as('connected'),
    ])
    .where('company_id', '=', companyId)
    .where('start_time', '>=', since)
    .executeTakeFirstOrThrow();
  return { calls: Number(row.calls), connected: Number(row.connected ?? 0) };
}
