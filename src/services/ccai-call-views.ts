import { type ExpressionBuilder, type Selectable, sql } from 'kysely';
import type { Clock } from '../clock.js';
import {
  type CallKind,
  type CallState,
  callState,
  type HoldPeriod,
  holdSeconds,
  type LegFacts,
  type ParticipantState,
  participantState,
} from '../domain/ccai-calls.js';
import { NotFound } from '../domain/errors.js';
import type { Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { Database } from '../store/schema.js';
import type { CcaiCallsTable } from '../store/schema-ccai.js';
import { isUniqueViolation } from '../store/unique.js';
import type { CcaiEndUserService, EndUser } from './ccai-end-users.js';
import type { CcaiMenuService, Menu } from './ccai-menus.js';
import type { CcaiTransferViews, TransferView } from './ccai-transfers.js';
import type { Person, UserService } from './users.js';

export type CcaiCallRow = Selectable<CcaiCallsTable>;

export interface ParticipantView extends ParticipantState {
  id: number;
  type: 'agent' | 'end_user';
  user_id: number | null;
  end_user_id: number | null;
}

/** Everything the call object shows: the request's facts, what the engine recorded, and derived state. */
export interface CallView {
  row: CcaiCallRow;
  kind: CallKind;
  state: CallState;
  menu: Menu | null;
  agent: Person | null;
  endUser: EndUser | null;
  participants: ParticipantView[];
  agentLegs: LegFacts[];
  transfers: TransferView[];
  recordingUrl: string | null;
  holdSeconds: number;
}

export interface CallListQuery {
  page: number;
  per: number;
  status?: string;
  createdFrom?: number;
  createdTo?: number;
  sortColumn?: 'id' | 'created_at';
  sortDirection?: 'asc' | 'desc';
}

const KIND: Record<string, CallKind> = {
  'Voice Outbound (API)': 'outbound',
  'Voice Inbound (API)': 'incoming',
  'Voice Scheduled (API)': 'scheduled',
};

type Leg = Selectable<Database['call_legs']>;

/**
 * Reads the face's calls: a `ccai_calls` row joined with the engine's record and legs. Participants
 * are made when the call is (the outbound call's agent and end user, the queued call's end user) and
 * bound to the engine's legs as they appear; an agent a queue offered the call to gets a participant
 * with its leg. Binding happens on read, idempotently (a leg binds once: `leg_id` is unique).
 */
export class CcaiCallViews {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly menus: CcaiMenuService,
    private readonly users: UserService,
    private readonly endUsers: CcaiEndUserService,
    private readonly transfers: CcaiTransferViews,
  ) {}

  async row(companyId: number, id: number): Promise<CcaiCallRow> {
    const row = await this.db
      .selectFrom('ccai_calls')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFound('Call');
    return row;
  }

  async get(companyId: number, id: number): Promise<CallView> {
    return this.view(await this.row(companyId, id));
  }

  async list(companyId: number, q: CallListQuery): Promise<Page<CallView>> {
    let query = this.db
      .selectFrom('ccai_calls')
      .selectAll('ccai_calls')
      .where('ccai_calls.company_id', '=', companyId);
    if (q.createdFrom !== undefined) query = query.where('ccai_calls.created_at', '>=', q.createdFrom);
    if (q.createdTo !== undefined) query = query.where('ccai_calls.created_at', '<=', q.createdTo);
    if (q.status) query = query.where((eb) => statusIs(eb, q.status!));
    const column = q.sortColumn === 'created_at' ? 'ccai_calls.created_at' : 'ccai_calls.id';
    const dir = q.sortDirection ?? 'desc';
    query = query.orderBy(column, dir).orderBy('ccai_calls.id', dir);
    const page = await fetchPage(query, q.page, q.per);
    const rows = [];
    for (const r of page.rows) rows.push(await this.view(r));
    return { ...page, rows };
  }

  async view(row: CcaiCallRow): Promise<CallView> {
    const kind = KIND[row.call_type];
    const uuid = row.call_uuid;
    const record = uuid
      ? await this.db
          .selectFrom('calls')
          .select(['connected_time', 'end_time', 'hung_up_by', 'end_reason', 'recording_url'])
          .where('uuid', '=', uuid)
          .executeTakeFirst()
      : undefined;
    const legs = uuid
      ? await this.db
          .selectFrom('call_legs')
          .selectAll()
          .where('call_uuid', '=', uuid)
          .orderBy('started_at')
          .orderBy('id')
          .execute()
      : [];
    const endUserLeg = legs.find((l) => l.to_number === row.end_user_number) ?? null;
    const agentLegs = legs.filter((l) => l !== endUserLeg);
    const { transfers, transfereeLegs } = await this.transfers.of(row, legs);
    const now = this.clock.now();
    const holds = await this.holdsOf(uuid, [...legs, ...transfereeLegs], record?.end_time ?? null);
    const participants = await this.participants(row, agentLegs, endUserLeg, transfereeLegs, holds);
    const state = callState({
      kind,
      createdAt: row.created_at,
      placedAt: row.placed_at,
      scheduledAt: row.scheduled_at,
      cancelledAt: row.cancelled_at,
      unplacedReason: row.fail_reason,
      deflection: row.deflection,
      recovers: row.recovers === 1,
      record: record ?? null,
      agentLegs,
      endUserLeg,
      now,
    });
    const menu = row.menu_id ? await this.menus.get(row.company_id, row.menu_id).catch(() => null) : null;
    const answeredAgent = participants.find((p) => p.type === 'agent' && p.connected_at !== null);
    const agentId = row.agent_id ?? answeredAgent?.user_id ?? null;
    const agent = agentId ? await this.users.get(row.company_id, agentId).catch(() => null) : null;
    const endUser = row.end_user_id
      ? ((await this.endUsers.byId(row.company_id, row.end_user_id)) ?? null)
      : null;
    return {
      row,
      kind,
      state,
      menu,
      agent,
      endUser,
      participants,
      agentLegs,
      transfers,
      recordingUrl: record?.recording_url ?? null,
      holdSeconds: holdSeconds([...holds.values()].flat(), record?.end_time ?? now),
    };
  }

  /**
   * The call's hold periods by leg, whichever face held them. A period still open when its leg (or the
   * call) ended ends there: the engine does not close periods when a held party hangs up.
   */
  private async holdsOf(uuid: string | null, legs: Leg[], callEnd: number | null) {
    const out = new Map<string, HoldPeriod[]>();
    if (!uuid) return out;
    const ends = new Map(legs.map((l) => [l.id, l.ended_at]));
    const rows = await this.db
      .selectFrom('call_holds')
      .select(['leg_id', 'started_at', 'ended_at'])
      .where('call_uuid', '=', uuid)
      .orderBy('started_at')
      .execute();
    for (const r of rows) {
      const ended_at = r.ended_at ?? ends.get(r.leg_id) ?? callEnd;
      out.set(r.leg_id, [...(out.get(r.leg_id) ?? []), { started_at: Number(r.started_at), ended_at }]);
    }
    return out;
  }

  /** Binds legs not yet bound to their participant (or a new one), then reads every participant. */
  private async participants(
    row: CcaiCallRow,
    agentLegs: Leg[],
    endUserLeg: Leg | null,
    transfereeLegs: Leg[],
    holds: Map<string, HoldPeriod[]>,
  ): Promise<ParticipantView[]> {
    let stored = await this.storedParticipants(row.id);
    const bound = new Set(stored.map((p) => p.leg_id));
    const all = [...(endUserLeg ? [endUserLeg] : []), ...agentLegs, ...transfereeLegs];
    const unbound = all.filter((l) => !bound.has(l.id));
    if (unbound.length) {
      const phones = await this.agentPhones(row, transfereeLegs);
      for (const leg of unbound) {
        const type = leg === endUserLeg ? 'end_user' : 'agent';
        const userId = type === 'agent' ? (phones.get(leg.to_number) ?? null) : null;
        await this.bind(row, leg.id, type, userId);
      }
      stored = await this.storedParticipants(row.id);
    }
    const legsById = new Map(all.map((l) => [l.id, l]));
    const now = this.clock.now();
    return stored.map((p) => ({
      id: p.id,
      type: p.type,
      user_id: p.user_id,
      end_user_id: p.end_user_id,
      ...participantState(
        p.leg_id ? (legsById.get(p.leg_id) ?? null) : null,
        now,
        p.leg_id ? holds.get(p.leg_id) : undefined,
      ),
    }));
  }

  /** Agents by phone: the queue offered the call, and any user a transfer rang. */
  private async agentPhones(row: CcaiCallRow, transfereeLegs: Leg[]): Promise<Map<string, number>> {
    const offered: number[] = JSON.parse(row.agent_ids);
    const phones = new Map<string, number>();
    for (const p of offered.length ? await this.peopleByIds(row.company_id, offered) : [])
      if (p.phone_number && !phones.has(p.phone_number)) phones.set(p.phone_number, p.id);
    const others = transfereeLegs.map((l) => l.to_number).filter((n) => !phones.has(n));
    for (const p of await this.users.byPhones(row.company_id, others))
      if (p.phone_number && !phones.has(p.phone_number)) phones.set(p.phone_number, p.id);
    return phones;
  }

  private storedParticipants(callId: number) {
    return this.db
      .selectFrom('ccai_participants')
      .selectAll()
      .where('call_id', '=', callId)
      .orderBy('id')
      .execute();
  }

  private peopleByIds(companyId: number, ids: number[]) {
    return this.db
      .selectFrom('people')
      .select(['id', 'phone_number'])
      .where('company_id', '=', companyId)
      .where('id', 'in', ids)
      .execute();
  }

  /** The participant made with the call for this side, else a new one; a racing read may bind first. */
  private async bind(row: CcaiCallRow, legId: string, type: 'agent' | 'end_user', userId: number | null) {
    let free = this.db
      .selectFrom('ccai_participants')
      .select('id')
      .where('call_id', '=', row.id)
      .where('type', '=', type)
      .where('leg_id', 'is', null);
    if (type === 'agent') free = free.where('user_id', userId === null ? 'is' : '=', userId);
    const slot = await free.orderBy('id').executeTakeFirst();
    try {
      if (slot) {
        await this.db
          .updateTable('ccai_participants')
          .set({ leg_id: legId })
          .where('id', '=', slot.id)
          .where('leg_id', 'is', null)
          .execute();
        return;
      }
      await this.db
        .insertInto('ccai_participants')
        .values({
          company_id: row.company_id,
          call_id: row.id,
          type,
          user_id: userId,
          end_user_id: type === 'end_user' ? row.end_user_id : null,
          leg_id: legId,
          created_at: this.clock.now(),
        })
        .execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
}

/**
 * The derived status as SQL over the engine's record and legs, so lists filter and page in the database
 * (the same rules as `callState`; the tests compare both on every status).
 */
function statusIs(eb: ExpressionBuilder<Database, 'ccai_calls'>, status: string) {
  const rec = (cond: string) =>
    eb.exists(
      eb
        .selectFrom('calls')
        .select(sql.lit(1).as('one'))
        .whereRef('calls.uuid', '=', 'ccai_calls.call_uuid')
        .where(sql.raw<boolean>(cond)),
    );
  const live = 'calls.end_time is null';
  const answeredAgent = eb.exists(
    eb
      .selectFrom('call_legs')
      .select(sql.lit(1).as('one'))
      .whereRef('call_legs.call_uuid', '=', 'ccai_calls.call_uuid')
      .whereRef('call_legs.to_number', '<>', 'ccai_calls.end_user_number')
      .where('call_legs.answered_at', 'is not', null),
  );
  const endUserLeg = eb.exists(
    eb
      .selectFrom('call_legs')
      .select(sql.lit(1).as('one'))
      .whereRef('call_legs.call_uuid', '=', 'ccai_calls.call_uuid')
      .whereRef('call_legs.to_number', '=', 'ccai_calls.end_user_number'),
  );
  const open = eb.and([
    eb('ccai_calls.cancelled_at', 'is', null),
    eb('ccai_calls.fail_reason', 'is', null),
    eb('ccai_calls.deflection', 'is', null),
  ]);
  const ended = rec('calls.end_time is not null and calls.connected_time is not null');
  const liveUnconnected = eb.and([open, rec(`${live} and calls.connected_time is null`)]);
  switch (status) {
    case 'cancelled':
      return eb('ccai_calls.cancelled_at', 'is not', null);
    case 'deflected':
      return eb('ccai_calls.deflection', 'is not', null);
    case 'scheduled':
      return eb.and([open, eb('ccai_calls.call_uuid', 'is', null)]);
    case 'finished':
      return eb.and([open, ended, eb('ccai_calls.recovers', '=', 0)]);
    case 'recovered':
      return eb.and([open, ended, eb('ccai_calls.recovers', '=', 1)]);
    case 'failed':
      return eb.and([
        eb('ccai_calls.cancelled_at', 'is', null),
        eb.or([
          eb('ccai_calls.fail_reason', 'is not', null),
          rec('calls.end_time is not null and calls.connected_time is null'),
        ]),
      ]);
    case 'connected':
      return eb.and([open, rec(`${live} and calls.connected_time is not null`)]);
    case 'connecting':
      return eb.and([liveUnconnected, answeredAgent, endUserLeg]);
    case 'assigned':
      return eb.and([
        liveUnconnected,
        eb.not(eb.and([answeredAgent, endUserLeg])),
        eb.or([eb('ccai_calls.call_type', '=', 'Voice Outbound (API)'), answeredAgent]),
      ]);
    case 'queued':
      return eb.and([
        liveUnconnected,
        eb('ccai_calls.call_type', '<>', 'Voice Outbound (API)'),
        eb.not(answeredAgent),
      ]);
    default:
      return sql<boolean>`1 = 0`;
  }
}
