import type { Insertable, Updateable } from 'kysely';
import type { Conn } from '../store/db.js';
import type { CallsTable } from '../store/schema-calls.js';

export type CallRow = Insertable<CallsTable>;
export type CallPatch = Updateable<CallsTable>;

/**
 * The call's record, written ahead: inserted when the call arrives and updated on each transition, so a
 * crash loses no call. Holds the latest values so the engine can compute durations from them.
 */
export class CallRecord {
  private constructor(
    private readonly db: Conn,
    readonly row: CallRow,
  ) {}

  static async create(db: Conn, row: CallRow): Promise<CallRecord> {
    await db.insertInto('calls').values(row).execute();
    return new CallRecord(db, row);
  }

  get uuid(): string {
    return this.row.uuid;
  }

  async save(patch: CallPatch, now: number): Promise<void> {
    Object.assign(this.row, patch, { updated_at: now });
    await this.db
      .updateTable('calls')
      .set({ ...patch, updated_at: now })
      .where('uuid', '=', this.row.uuid)
      .execute();
  }
}

/** Inserts and updates of a call's legs. */
export async function insertLeg(
  db: Conn,
  leg: {
    id: string;
    callUuid: string;
    companyId: number;
    direction: 'inbound' | 'outbound';
    from: string;
    to: string;
    targetId?: number | null;
    targetGroupId?: number | null;
    at: number;
  },
): Promise<void> {
  await db
    .insertInto('call_legs')
    .values({
      id: leg.id,
      call_uuid: leg.callUuid,
      company_id: leg.companyId,
      direction: leg.direction,
      from_number: leg.from,
      to_number: leg.to,
      target_id: leg.targetId ?? null,
      target_group_id: leg.targetGroupId ?? null,
      status: leg.direction === 'inbound' ? 'answered' : 'ringing',
      started_at: leg.at,
    })
    .execute();
}

export interface LegPatch {
  status: string;
  answered_at?: number;
  ended_at?: number;
  hung_up_by?: string | null;
  end_reason?: string | null;
}

export async function updateLeg(db: Conn, id: string, patch: LegPatch): Promise<void> {
  await db.updateTable('call_legs').set(patch).where('id', '=', id).execute();
}
