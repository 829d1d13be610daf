import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { NotFound, ValidationFailed } from '../domain/errors.js';
import { normalizePhone } from '../domain/phone.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { CcaiOutboundNumbersTable } from '../store/schema-ccai.js';
import { isUniqueViolation } from '../store/unique.js';

export type OutboundNumber = Selectable<CcaiOutboundNumbersTable>;

export interface OutboundNumberInput {
  number?: string;
  default?: boolean;
}

/**
 * The numbers calls present as caller id. Never more than one default: the first number becomes it,
 * making another the default moves it, and deleting the default hands it to the oldest left. A company
 * may clear it (`default: false`); outbound calls that name no number then need one chosen (202) when
 * there are several.
 */
export class CcaiOutboundNumberService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(companyId: number, page: number, perPage: number): Promise<Page<OutboundNumber>> {
    return fetchPage(this.live(companyId, this.db).orderBy('id'), page, perPage);
  }

  async all(companyId: number): Promise<OutboundNumber[]> {
    return this.live(companyId, this.db).orderBy('id').execute();
  }

  async get(companyId: number, id: number, conn: Conn = this.db): Promise<OutboundNumber> {
    const row = await this.live(companyId, conn).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFound('Outbound number');
    return row;
  }

  async create(companyId: number, input: OutboundNumberInput): Promise<OutboundNumber> {
    if (input.number === undefined) throw ValidationFailed.field('number', "can't be blank");
    const number = normalizePhone('number', input.number);
    const now = this.clock.now();
    return this.db
      .transaction()
      .execute(async (tx) => {
        const first = !(await this.live(companyId, tx).select('id').executeTakeFirst());
        const isDefault = first || input.default === true;
        if (isDefault) await this.clearDefault(companyId, tx);
        return tx
          .insertInto('ccai_outbound_numbers')
          .values({
            company_id: companyId,
            number,
            is_default: isDefault ? 1 : 0,
            created_at: now,
            updated_at: now,
            deleted_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      })
      .catch(taken);
  }

  async update(companyId: number, id: number, input: OutboundNumberInput): Promise<OutboundNumber> {
    return this.db
      .transaction()
      .execute(async (tx) => {
        const current = await this.get(companyId, id, tx);
        const patch: Partial<OutboundNumber> = { updated_at: this.clock.now() };
        if (input.number !== undefined) patch.number = normalizePhone('number', input.number);
        if (input.default === false) patch.is_default = 0;
        if (input.default === true && current.is_default === 0) {
          await this.clearDefault(companyId, tx);
          patch.is_default = 1;
        }
        return tx
          .updateTable('ccai_outbound_numbers')
          .set(patch)
          .where('id', '=', current.id)
          .returningAll()
          .executeTakeFirstOrThrow();
      })
      .catch(taken);
  }

  async remove(companyId: number, id: number): Promise<OutboundNumber> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.get(companyId, id, tx);
      const now = this.clock.now();
      await tx
        .updateTable('ccai_outbound_numbers')
        .set({ deleted_at: now, is_default: 0 })
        .where('id', '=', current.id)
        .execute();
      if (current.is_default === 1) {
        const next = await this.live(companyId, tx).select('id').orderBy('id').executeTakeFirst();
        if (next)
          await tx
            .updateTable('ccai_outbound_numbers')
            .set({ is_default: 1 })
            .where('id', '=', next.id)
            .execute();
      }
      return { ...current, deleted_at: now };
    });
  }

  private live(companyId: number, conn: Conn) {
    return conn
      .selectFrom('ccai_outbound_numbers')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null);
  }

  private async clearDefault(companyId: number, conn: Conn): Promise<void> {
    await conn
      .updateTable('ccai_outbound_numbers')
      .set({ is_default: 0 })
      .where('company_id', '=', companyId)
      .where('is_default', '=', 1)
      .execute();
  }
}

function taken(err: unknown): never {
  if (isUniqueViolation(err)) throw ValidationFailed.field('number', 'has already been taken');
  throw err;
}
