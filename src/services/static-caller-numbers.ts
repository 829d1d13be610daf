import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { Gone, NotFound, ValidationFailed } from '../domain/errors.js';
import type { Db } from '../store/db.js';
import { fetchPage } from '../store/paging.js';
import type { StaticCallerNumbersTable } from '../store/schema.js';
import { callerNumber, takenOnRace } from './caller-numbers.js';

export type StaticCallerNumber = Selectable<StaticCallerNumbersTable>;

/** Caller ids shared by a whole call center: calls from them get a prompted or randomized caller id. */
export class StaticCallerNumberService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  list(companyId: number, page: number) {
    const q = this.db
      .selectFrom('static_caller_numbers')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .orderBy('id');
    return fetchPage(q, page);
  }

  async create(companyId: number, input: { number?: string | null }): Promise<StaticCallerNumber> {
    if (!input.number?.trim()) throw ValidationFailed.field('number', "can't be blank");
    const number = callerNumber('number', input.number);
    return this.db
      .transaction()
      .execute(async (tx) => {
        const taken = await tx
          .selectFrom('static_caller_numbers')
          .select('id')
          .where('company_id', '=', companyId)
          .where('number', '=', number)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        if (taken) throw ValidationFailed.field('number', 'has already been taken');
        return tx
          .insertInto('static_caller_numbers')
          .values({ company_id: companyId, number, created_at: this.clock.now(), deleted_at: null })
          .returningAll()
          .executeTakeFirstOrThrow();
      })
      .catch(takenOnRace('number'));
  }

  /** Soft delete, so the id answers 410 afterwards and the number can be added again. */
  async remove(companyId: number, id: number): Promise<StaticCallerNumber> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('static_caller_numbers')
        .selectAll()
        .where('company_id', '=', companyId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw new NotFound('Static Caller Number');
      if (row.deleted_at !== null) throw new Gone('Static Caller Number');
      const deletedAt = this.clock.now();
      await tx
        .updateTable('static_caller_numbers')
        .set({ deleted_at: deletedAt })
        .where('id', '=', row.id)
        .execute();
      return { ...row, deleted_at: deletedAt };
    });
  }
}
