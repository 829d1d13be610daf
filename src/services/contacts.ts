import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { type FieldErrors, Gone, NotFound, RuleViolation, ValidationFailed } from '../domain/errors.js';
import { parseTagList, type TagValue } from '../domain/tags.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { ContactNumbersTable, ContactsTable } from '../store/schema.js';
import { callerNumber, pathNumber, takenOnRace } from './caller-numbers.js';
import { replaceTags, type StoredTagValue, tagsOf } from './tag-values.js';

export type Contact = Selectable<ContactsTable>;
export type ContactNumber = Selectable<ContactNumbersTable>;

export interface ContactNumberInput {
  id?: number;
  number?: string;
  description?: string | null;
  _destroy?: boolean;
}

export interface ContactInput {
  /** Absent: tags stay as they are; blank or null: tags are cleared. */
  tag_list?: string | null;
  contact_numbers_attributes?: ContactNumberInput[];
}

export interface ContactView {
  contact: Contact;
  numbers: ContactNumber[];
  tags: StoredTagValue[];
}

/** What a contact_numbers_attributes list does to a contact's numbers, computed before anything is written. */
interface NumberPlan {
  inserts: { number: string; description: string | null }[];
  updates: { id: number; number?: string; description?: string | null }[];
  destroys: number[];
}

const ATTRS = 'contact_numbers_attributes';

/** Contacts: people behind one or more caller numbers; calls from those numbers inherit the contact's tags. */
export class ContactService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(companyId: number, page: number): Promise<Page<ContactView>> {
    const q = this.db
      .selectFrom('contacts')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .orderBy('id');
    const result = await fetchPage(q, page);
    return { ...result, rows: await this.views(this.db, result.rows) };
  }

  async get(companyId: number, id: number): Promise<ContactView> {
    return this.view(this.db, await this.find(companyId, id, this.db));
  }

  async getByNumber(companyId: number, rawNumber: string): Promise<ContactView> {
    const row = await this.numberRow(companyId, rawNumber, this.db);
    return this.get(companyId, row.contact_id);
  }

  async create(companyId: number, input: ContactInput): Promise<ContactView> {
    const tags = parseTags(input);
    if (!input.contact_numbers_attributes?.some((a) => !a._destroy)) {
      throw ValidationFailed.field(ATTRS, 'must hold at least one contact number');
    }
    return this.db
      .transaction()
      .execute(async (tx) => {
        const plan = await this.plan(companyId, undefined, input.contact_numbers_attributes ?? [], [], tx);
        const now = this.clock.now();
        const contact = await tx
          .insertInto('contacts')
          .values({ company_id: companyId, created_at: now, updated_at: now, deleted_at: null })
          .returningAll()
          .executeTakeFirstOrThrow();
        await this.apply(companyId, contact.id, plan, tx);
        if (tags) await replaceTags(tx, companyId, 'contact', contact.id, tags);
        return this.view(tx, contact);
      })
      .catch(takenOnRace(`${ATTRS}.number`));
  }

  async update(companyId: number, id: number, input: ContactInput): Promise<ContactView> {
    const tags = parseTags(input);
    return this.db
      .transaction()
      .execute(async (tx) => {
        const current = await this.find(companyId, id, tx);
        const attrs = input.contact_numbers_attributes;
        if (attrs) {
          const existing = await this.numbersOf(current.id, tx);
          await this.apply(
            companyId,
            current.id,
            await this.plan(companyId, current.id, attrs, existing, tx),
            tx,
          );
        }
        if (tags) await replaceTags(tx, companyId, 'contact', current.id, tags);
        const contact = await tx
          .updateTable('contacts')
          .set({ updated_at: this.clock.now() })
          .where('id', '=', current.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return this.view(tx, contact);
      })
      .catch(takenOnRace(`${ATTRS}.number`));
  }

  async updateByNumber(companyId: number, rawNumber: string, input: ContactInput): Promise<ContactView> {
    const row = await this.numberRow(companyId, rawNumber, this.db);
    return this.update(companyId, row.contact_id, input);
  }

  /** Soft-deletes the contact; its numbers and tags go for good so the numbers can be used again. */
  async remove(companyId: number, id: number): Promise<ContactView> {
    return this.db.transaction().execute(async (tx) => {
      const view = await this.view(tx, await this.find(companyId, id, tx));
      await tx.deleteFrom('contact_numbers').where('contact_id', '=', view.contact.id).execute();
      await replaceTags(tx, companyId, 'contact', view.contact.id, []);
      const deletedAt = this.clock.now();
      await tx
        .updateTable('contacts')
        .set({ deleted_at: deletedAt })
        .where('id', '=', view.contact.id)
        .execute();
      return { ...view, contact: { ...view.contact, deleted_at: deletedAt } };
    });
  }

  async removeByNumber(companyId: number, rawNumber: string): Promise<ContactView> {
    const row = await this.numberRow(companyId, rawNumber, this.db);
    return this.remove(companyId, row.contact_id);
  }

  /** Removes one number, as long as its contact keeps at least one. */
  async removeNumber(companyId: number, rawNumber: string): Promise<ContactNumber> {
    return this.db.transaction().execute(async (tx) => {
      const row = await this.numberRow(companyId, rawNumber, tx);
      const siblings = await this.numbersOf(row.contact_id, tx);
      if (siblings.length <= 1) {
        throw new RuleViolation(
          'Contact Number is the only number of its Contact: a Contact needs at least one, so delete the Contact instead',
        );
      }
      await tx.deleteFrom('contact_numbers').where('id', '=', row.id).execute();
      await this.touch(row.contact_id, tx);
      return row;
    });
  }

  async updateNumber(
    companyId: number,
    rawNumber: string,
    input: Omit<ContactNumberInput, 'id' | '_destroy'>,
  ): Promise<ContactNumber> {
    const number = input.number === undefined ? undefined : requiredNumber('number', input.number);
    return this.db
      .transaction()
      .execute(async (tx) => {
        const row = await this.numberRow(companyId, rawNumber, tx);
        if (
          number !== undefined &&
          number !== row.number &&
          (await this.takenBy(companyId, [number], tx)).length
        ) {
          throw ValidationFailed.field('number', 'has already been taken');
        }
        const next = await tx
          .updateTable('contact_numbers')
          .set({
            ...(number !== undefined ? { number } : {}),
            ...(input.description !== undefined ? { description: input.description } : {}),
          })
          .where('id', '=', row.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await this.touch(row.contact_id, tx);
        return next;
      })
      .catch(takenOnRace('number'));
  }

  private async find(companyId: number, id: number, conn: Conn): Promise<Contact> {
    const row = await conn
      .selectFrom('contacts')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFound('Contact');
    if (row.deleted_at !== null) throw new Gone('Contact');
    return row;
  }

  private async numberRow(companyId: number, rawNumber: string, conn: Conn): Promise<ContactNumber> {
    const number = pathNumber('Contact Number', rawNumber, { allowSip: true });
    const row = await conn
      .selectFrom('contact_numbers')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('number', '=', number)
      .executeTakeFirst();
    if (!row) throw new NotFound('Contact Number');
    return row;
  }

  private numbersOf(contactId: number, conn: Conn): Promise<ContactNumber[]> {
    return conn
      .selectFrom('contact_numbers')
      .selectAll()
      .where('contact_id', '=', contactId)
      .orderBy('id')
      .execute();
  }

  private takenBy(companyId: number, numbers: string[], conn: Conn) {
    return conn
      .selectFrom('contact_numbers')
      .select(['number', 'contact_id'])
      .where('company_id', '=', companyId)
      .where('number', 'in', numbers)
      .execute();
  }

  private async touch(contactId: number, conn: Conn): Promise<void> {
    await conn
      .updateTable('contacts')
      .set({ updated_at: this.clock.now() })
      .where('id', '=', contactId)
      .execute();
  }

  /** Validates a contact_numbers_attributes list against the contact's numbers; throws every problem at once. */
  private async plan(
    companyId: number,
    contactId: number | undefined,
    attrs: ContactNumberInput[],
    existing: ContactNumber[],
    conn: Conn,
  ): Promise<NumberPlan> {
    const { plan, errors, numbers, fieldOf } = draftPlan(attrs, existing);
    const taken = numbers.length ? await this.takenBy(companyId, numbers, conn) : [];
    for (const t of taken) {
      if (t.contact_id !== contactId)
        addError(errors, fieldOf.get(t.number) ?? ATTRS, 'has already been taken');
    }
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
    return plan;
  }

  /**
   * Writes a validated plan. Changed numbers pass through a placeholder first, so swapping two of the
   * contact's numbers in one request does not trip the (company, number) unique index midway.
   */
  private async apply(companyId: number, contactId: number, plan: NumberPlan, tx: Conn): Promise<void> {
    if (plan.destroys.length)
      await tx.deleteFrom('contact_numbers').where('id', 'in', plan.destroys).execute();
    const renames = plan.updates.filter((u) => u.number !== undefined);
    for (const u of renames) {
      await tx
        .updateTable('contact_numbers')
        .set({ number: `~renaming:${u.id}` })
        .where('id', '=', u.id)
        .execute();
    }
    for (const { id, ...values } of plan.updates) {
      if (Object.keys(values).length)
        await tx.updateTable('contact_numbers').set(values).where('id', '=', id).execute();
    }
    if (plan.inserts.length) {
      await tx
        .insertInto('contact_numbers')
        .values(plan.inserts.map((n) => ({ company_id: companyId, contact_id: contactId, ...n })))
        .execute();
    }
  }

  private async view(conn: Conn, contact: Contact): Promise<ContactView> {
    return (await this.views(conn, [contact]))[0];
  }

  /** Numbers and tags of a page of contacts in two queries. */
  private async views(conn: Conn, contacts: Contact[]): Promise<ContactView[]> {
    const ids = contacts.map((c) => c.id);
    const numbers = ids.length
      ? await conn
          .selectFrom('contact_numbers')
          .selectAll()
          .where('contact_id', 'in', ids)
          .orderBy('id')
          .execute()
      : [];
    const tags = await tagsOf(conn, 'contact', ids);
    return contacts.map((contact) => ({
      contact,
      numbers: numbers.filter((n) => n.contact_id === contact.id),
      tags: tags.get(contact.id) ?? [],
    }));
  }
}

function parseTags(input: ContactInput): TagValue[] | undefined {
  return input.tag_list === undefined ? undefined : parseTagList(input.tag_list ?? '');
}

function requiredNumber(field: string, raw: string): string {
  if (!raw.trim()) throw ValidationFailed.field(field, "can't be blank");
  return callerNumber(field, raw, { allowSip: true });
}

/**
 * The checks that need no database: each item's number and id, at least one number left, no number twice.
 * Returns the contact's numbers after the change and which request field brought each in (for errors).
 */
function draftPlan(attrs: ContactNumberInput[], existing: ContactNumber[]) {
  const errors: FieldErrors = {};
  const plan: NumberPlan = { inserts: [], updates: [], destroys: [] };
  const final = new Map<number, string>(existing.map((n) => [n.id, n.number]));
  const fieldOf = new Map<string, string>();
  attrs.forEach((a, i) => {
    const field = `${ATTRS}.${i}`;
    const number = collect(errors, () =>
      a.number === undefined ? undefined : requiredNumber(`${field}.number`, a.number),
    );
    if (number && !a._destroy) fieldOf.set(number, `${field}.number`);
    if (a.id === undefined) {
      if (a._destroy) return;
      if (a.number === undefined) addError(errors, `${field}.number`, "can't be blank");
      if (number) plan.inserts.push({ number, description: a.description ?? null });
    } else if (!final.has(a.id)) {
      addError(errors, `${field}.id`, 'is not a number of this contact');
    } else if (a._destroy) {
      plan.destroys.push(a.id);
      final.delete(a.id);
    } else {
      const description = a.description !== undefined ? { description: a.description } : {};
      plan.updates.push({ id: a.id, ...(number !== undefined ? { number } : {}), ...description });
      if (number) final.set(a.id, number);
    }
  });
  const numbers = [...final.values(), ...plan.inserts.map((n) => n.number)];
  if (numbers.length === 0) addError(errors, ATTRS, 'must leave the contact at least one contact number');
  const seen = new Set<string>();
  for (const n of numbers) {
    if (seen.has(n)) addError(errors, fieldOf.get(n) ?? ATTRS, 'is given twice');
    seen.add(n);
  }
  return { plan, errors, numbers, fieldOf };
}

function addError(errors: FieldErrors, field: string, message: string): void {
  errors[field] = [...(errors[field] ?? []), message];
}

/** Runs a validation step, moving its field errors into `errors` instead of throwing. */
function collect<T>(errors: FieldErrors, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ValidationFailed)) throw err;
    for (const [field, msgs] of Object.entries(err.errors)) for (const m of msgs) addError(errors, field, m);
    return undefined;
  }
}
