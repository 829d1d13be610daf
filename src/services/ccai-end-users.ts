import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { NotFound } from '../domain/errors.js';
import { normalizePhone } from '../domain/phone.js';
import type { Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { CcaiEndUsersTable } from '../store/schema-ccai.js';

export type EndUser = Selectable<CcaiEndUsersTable>;

export interface EndUserInput {
  ticket_id?: string | null;
  phone_number?: string | null;
  name?: string | null;
}

/** The contact center's end users: a CRM ticket and the phone its calls dial. */
export class CcaiEndUserService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(companyId: number, page: number, perPage: number): Promise<Page<EndUser>> {
    return fetchPage(this.live(companyId).orderBy('id'), page, perPage);
  }

  async get(companyId: number, id: number): Promise<EndUser> {
    const row = await this.live(companyId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFound('End user');
    return row;
  }

  /** Any end user of the company by id, deleted ones too (a call still names its end user). */
  async byId(companyId: number, id: number): Promise<EndUser | undefined> {
    return this.db
      .selectFrom('ccai_end_users')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The newest live end user tied to a CRM ticket. */
  async byTicket(companyId: number, ticketId: string): Promise<EndUser | undefined> {
    return this.live(companyId).where('ticket_id', '=', ticketId).orderBy('id', 'desc').executeTakeFirst();
  }

  /** The end user a number belongs to, made on first contact (an incoming call's caller). */
  async forPhone(companyId: number, phone: string, ticketId: string | null): Promise<EndUser> {
    const found = await this.live(companyId)
      .where('phone_number', '=', phone)
      .orderBy('id')
      .executeTakeFirst();
    if (found) return found;
    return this.create(companyId, { phone_number: phone, ticket_id: ticketId });
  }

  async create(companyId: number, input: EndUserInput): Promise<EndUser> {
    const now = this.clock.now();
    return this.db
      .insertInto('ccai_end_users')
      .values({
        company_id: companyId,
        ticket_id: input.ticket_id?.trim() || null,
        phone_number: phone(input.phone_number),
        name: input.name?.trim() || null,
        created_at: now,
        updated_at: now,
        deleted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async update(companyId: number, id: number, input: EndUserInput): Promise<EndUser> {
    const current = await this.get(companyId, id);
    const patch: Partial<EndUser> = { updated_at: this.clock.now() };
    if (input.ticket_id !== undefined) patch.ticket_id = input.ticket_id?.trim() || null;
    if (input.phone_number !== undefined) patch.phone_number = phone(input.phone_number);
    if (input.name !== undefined) patch.name = input.name?.trim() || null;
    return this.db
      .updateTable('ccai_end_users')
      .set(patch)
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async remove(companyId: number, id: number): Promise<EndUser> {
    const current = await this.get(companyId, id);
    const now = this.clock.now();
    await this.db
      .updateTable('ccai_end_users')
      .set({ deleted_at: now })
      .where('id', '=', current.id)
      .execute();
    return { ...current, deleted_at: now };
  }

  private live(companyId: number) {
    return this.db
      .selectFrom('ccai_end_users')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null);
  }
}

function phone(raw: string | null | undefined): string | null {
  return raw == null || raw.trim() === '' ? null : normalizePhone('phone_number', raw);
}
