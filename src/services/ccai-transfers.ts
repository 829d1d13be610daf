import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { type TransferState, transferState } from '../domain/ccai-calls.js';
import type { Db } from '../store/db.js';
import type { Database } from '../store/schema.js';
import { isUniqueViolation } from '../store/unique.js';
import type { Person, UserService } from './users.js';

type Leg = Selectable<Database['call_legs']>;

export interface TransferView extends TransferState {
  id: number;
  created_at: number;
  /** Who handled the call when it was transferred (the person whose phone that leg rang), if a user. */
  from: Person | null;
  /** The user whose phone the call was transferred to, if any. */
  to: Person | null;
}

/**
 * The engine's transfers of a CCAI call (`call_transfers`, written whichever face asked: Retreaver's Call
 * Control, a RingCentral party transfer, a phone's own transfer), each with an integer id of this face
 * bound on first read, and the transferees' legs (they belong to the transfer's downstream call record).
 */
export class CcaiTransferViews {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly users: UserService,
  ) {}

  async of(
    call: { id: number; company_id: number; call_uuid: string | null },
    callLegs: Leg[],
  ): Promise<{ transfers: TransferView[]; transfereeLegs: Leg[] }> {
    if (!call.call_uuid) return { transfers: [], transfereeLegs: [] };
    const rows = await this.db
      .selectFrom('call_transfers')
      .selectAll()
      .where('call_uuid', '=', call.call_uuid)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    if (!rows.length) return { transfers: [], transfereeLegs: [] };
    const ids = await this.idsFor(
      call,
      rows.map((r) => r.id),
    );
    const legIds = rows.map((r) => r.leg_id).filter((l): l is string => !!l);
    const transfereeLegs = await this.db
      .selectFrom('call_legs')
      .selectAll()
      .where('id', 'in', legIds)
      .execute();
    const legs = new Map([...callLegs, ...transfereeLegs].map((l) => [l.id, l]));
    const numbers = [...rows.map((r) => r.transfer_to), ...[...legs.values()].map((l) => l.to_number)];
    const people = new Map(
      (await this.users.byPhones(call.company_id, [...new Set(numbers)])).map((p) => [p.phone_number, p]),
    );
    const transfers = rows.map((r) => {
      const transferor = r.transferor_leg_id ? legs.get(r.transferor_leg_id) : undefined;
      return {
        id: ids.get(r.id)!,
        created_at: r.created_at,
        from: (transferor && people.get(transferor.to_number)) ?? null,
        to: people.get(r.transfer_to) ?? null,
        ...transferState({
          status: r.status,
          transferorGone: !transferor || transferor.ended_at !== null,
          leg: (r.leg_id && legs.get(r.leg_id)) || null,
        }),
      };
    });
    return { transfers, transfereeLegs };
  }

  /** This face's integer ids of the transfers, made for those read the first time. */
  private async idsFor(call: { id: number; company_id: number }, transferIds: string[]) {
    const read = () =>
      this.db
        .selectFrom('ccai_transfers')
        .select(['id', 'transfer_id'])
        .where('transfer_id', 'in', transferIds)
        .execute();
    let known = await read();
    const missing = transferIds.filter((t) => !known.some((k) => k.transfer_id === t));
    for (const transfer_id of missing) {
      try {
        await this.db
          .insertInto('ccai_transfers')
          .values({
            company_id: call.company_id,
            call_id: call.id,
            transfer_id,
            created_at: this.clock.now(),
          })
          .execute();
      } catch (err) {
        // A concurrent read bound it first.
        if (!isUniqueViolation(err)) throw err;
      }
    }
    if (missing.length) known = await read();
    return new Map(known.map((k) => [k.transfer_id, k.id]));
  }
}
