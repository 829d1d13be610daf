import type { Selectable } from 'kysely';
import { NotFound } from '../domain/errors.js';
import type { Db } from '../store/db.js';
import type { CallLegsTable } from '../store/schema-calls.js';
import type { RcOrigin } from '../store/schema-people.js';
import type { Person, UserService } from './users.js';

export type LegRow = Selectable<CallLegsTable>;

export interface SessionCall {
  id: number;
  uuid: string;
  company_id: number;
  status: string;
  caller: string;
  number: string;
  start_time: number;
}

export type SessionOriginType = 'Call' | RcOrigin;

/** How a session started: a call that arrived, or one the face placed (and then whose, from where). */
export interface SessionOrigin {
  type: SessionOriginType;
  /** The user who placed it (call-out, ring-out, conference). */
  personId?: number;
  /** The leg that rang the first phone of a call-out or ring-out: the placing user's party. */
  firstLegId?: string;
  voiceCallToken?: string;
}

/** A call as RingCentral sees it: the session and every leg (transfers' legs too) with their owners. */
export interface SessionView {
  call: SessionCall;
  legs: LegRow[];
  /** Owner of each leg dialled to (or placed from) a person's phone, by leg id. */
  owners: Map<string, Person>;
  origin: SessionOrigin;
}

/** Party flags the engine's records do not hold: muted, and the recordings started on the party. */
export interface PartyFlags {
  muted: boolean;
  recordings: { id: string; active: boolean }[];
}

const LIVE_LEG = new Set(['ringing', 'answered', 'hold', 'parked', 'voicemail']);

/**
 * The read side of telephony sessions: built from the engine's call and leg records, so a session reads
 * the same from any node and after a restart. Muted/recording flags are kept here, in memory, bounded.
 */
export class TelephonySessionService {
  private readonly flags = new Map<string, PartyFlags>();

  constructor(
    private readonly db: Db,
    private readonly users: UserService,
  ) {}

  async get(companyId: number, uuid: string): Promise<SessionView> {
    const call = await this.db
      .selectFrom('calls')
      .select([
        'id',
        'uuid',
        'company_id',
        'status',
        'caller',
        'number',
        'start_time',
        'downstream_call_uuids',
      ])
      .where('uuid', '=', uuid)
      .where('company_id', '=', companyId)
      .where('via', '!=', 'transfer')
      .executeTakeFirst();
    if (!call) return this.conference(companyId, uuid);
    const downstream = parseUuids(call.downstream_call_uuids);
    const legs = await this.db
      .selectFrom('call_legs')
      .selectAll()
      .where('call_uuid', 'in', [call.uuid, ...downstream])
      .where('company_id', '=', companyId)
      .orderBy('started_at')
      .orderBy('id')
      .execute();
    const started = await this.db
      .selectFrom('rc_sessions')
      .select(['origin', 'person_id', 'first_to', 'voice_call_token'])
      .where('uuid', '=', uuid)
      .executeTakeFirst();
    return {
      call,
      legs,
      owners: await this.ownersOf(companyId, legs),
      origin: started ? originOf(started, legs) : { type: 'Call' },
    };
  }

  /** A conference session: it has no call of its own, only the parties brought into it. */
  private async conference(companyId: number, uuid: string): Promise<SessionView> {
    const row = await this.db
      .selectFrom('rc_sessions')
      .selectAll()
      .where('uuid', '=', uuid)
      .where('company_id', '=', companyId)
      .where('origin', '=', 'Conference')
      .executeTakeFirst();
    if (!row) throw new NotFound('telephonySessionId');
    const call = {
      id: 0,
      uuid,
      company_id: companyId,
      status: 'in-progress',
      caller: '',
      number: row.voice_call_token ?? '',
      start_time: row.created_at,
    };
    return { call, legs: [], owners: new Map(), origin: originOf(row, []) };
  }

  /** Sessions with a live leg, optionally only those where the person has a live party. */
  async active(companyId: number, person?: Person): Promise<SessionView[]> {
    const calls = await this.db
      .selectFrom('calls')
      .select('uuid')
      .where('company_id', '=', companyId)
      .where('status', '=', 'in-progress')
      .where('via', '!=', 'transfer')
      .orderBy('start_time')
      .limit(500)
      .execute();
    const views = await Promise.all(calls.map((c) => this.get(companyId, c.uuid)));
    return views.filter((v) =>
      v.legs.some((l) => LIVE_LEG.has(l.status) && (!person || v.owners.get(l.id)?.id === person.id)),
    );
  }

  flagsOf(legId: string): PartyFlags {
    return this.flags.get(legId) ?? { muted: false, recordings: [] };
  }

  setFlags(legId: string, flags: PartyFlags): void {
    this.flags.delete(legId);
    this.flags.set(legId, flags);
    if (this.flags.size > 50_000) this.flags.delete(this.flags.keys().next().value!);
  }

  private async ownersOf(companyId: number, legs: LegRow[]): Promise<Map<string, Person>> {
    const numbers = [...new Set(legs.flatMap((l) => [l.to_number, l.from_number]))];
    const people = await this.users.byPhones(companyId, numbers);
    const byPhone = new Map(people.map((p) => [p.phone_number, p]));
    const owners = new Map<string, Person>();
    for (const l of legs) {
      // A leg dialled out belongs to whoever it rang; the caller's leg to whoever placed it.
      const owner = byPhone.get(l.direction === 'outbound' ? l.to_number : l.from_number);
      if (owner) owners.set(l.id, owner);
    }
    return owners;
  }
}

function originOf(
  row: { origin: RcOrigin; person_id: number; first_to: string | null; voice_call_token: string | null },
  legs: LegRow[],
): SessionOrigin {
  // Legs come in the order they started: leg A rang before leg B was dialled.
  const first = legs.find((l) => l.direction === 'outbound' && l.to_number === row.first_to);
  return {
    type: row.origin,
    personId: row.person_id,
    ...(first ? { firstLegId: first.id } : {}),
    ...(row.voice_call_token ? { voiceCallToken: row.voice_call_token } : {}),
  };
}

function parseUuids(raw: unknown): string[] {
  try {
    const list = JSON.parse(String(raw ?? '[]'));
    return Array.isArray(list) ? list.filter((x) => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
