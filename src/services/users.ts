import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { type FieldErrors, Gone, NotFound, ValidationFailed } from '../domain/errors.js';
import { normalizePhone } from '../domain/phone.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { PeopleTable } from '../store/schema-people.js';
import { isUniqueViolation } from '../store/unique.js';
import { hashPassword, newJwtCredential, tokenHash } from './users-secrets.js';

export type Person = Selectable<PeopleTable>;
export type UserStatus = 'available' | 'unavailable';

export interface UserInput {
  email?: string;
  first_name?: string | null;
  last_name?: string | null;
  extension_number?: string;
  password?: string | null;
  phone_number?: string | null;
  agent_number?: string | null;
  can_make_calls?: boolean;
  status?: UserStatus;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const EXTENSION = /^[0-9]{1,10}$/;
const MIN_PASSWORD = 8;

/**
 * A company's people with a phone: one model for every face (RingCentral extensions, CCAI agents).
 * Email and extension number are unique among the company's live people.
 */
export class UserService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(companyId: number, page: number): Promise<Page<Person>> {
    const q = this.db
      .selectFrom('people')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .orderBy('id');
    return fetchPage(q, page);
  }

  /** A page of any size (RingCentral's `perPage`), same order as `list`. */
  async pageOf(companyId: number, page: number, perPage: number): Promise<Page<Person>> {
    const q = this.db
      .selectFrom('people')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .orderBy('id');
    return fetchPage(q, page, perPage);
  }

  async get(companyId: number, id: number, conn: Conn = this.db): Promise<Person> {
    const row = await conn
      .selectFrom('people')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFound('User');
    if (row.deleted_at !== null) throw new Gone('User');
    return row;
  }

  async create(companyId: number, input: UserInput): Promise<Person> {
    const values = await checked(input, true);
    const now = this.clock.now();
    return this.db
      .transaction()
      .execute(async (tx) => {
        await this.assertFree(companyId, undefined, values, tx);
        return tx
          .insertInto('people')
          .values({
            company_id: companyId,
            email: values.email!,
            email_key: values.email_key!,
            first_name: values.first_name ?? null,
            last_name: values.last_name ?? null,
            extension_number: values.extension_number!,
            password_hash: values.password_hash ?? null,
            phone_number: values.phone_number ?? null,
            agent_number: values.agent_number ?? null,
            can_make_calls: values.can_make_calls ?? 1,
            status: values.status ?? 'available',
            created_at: now,
            updated_at: now,
            deleted_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      })
      .catch(takenRace);
  }

  async update(companyId: number, id: number, input: UserInput): Promise<Person> {
    const values = await checked(input, false);
    return this.db
      .transaction()
      .execute(async (tx) => {
        const current = await this.get(companyId, id, tx);
        await this.assertFree(companyId, current.id, values, tx);
        return tx
          .updateTable('people')
          .set({ ...values, updated_at: this.clock.now() })
          .where('id', '=', current.id)
          .returningAll()
          .executeTakeFirstOrThrow();
      })
      .catch(takenRace);
  }

  /** Soft delete: the person signs in no more, and their tokens and JWT credentials die with them. */
  async remove(companyId: number, id: number): Promise<Person> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.get(companyId, id, tx);
      const now = this.clock.now();
      await tx.updateTable('people').set({ deleted_at: now }).where('id', '=', current.id).execute();
      await tx
        .updateTable('person_jwts')
        .set({ revoked_at: now })
        .where('person_id', '=', current.id)
        .where('revoked_at', 'is', null)
        .execute();
      await tx
        .updateTable('oauth_tokens')
        .set({ revoked_at: now })
        .where('person_id', '=', current.id)
        .where('revoked_at', 'is', null)
        .execute();
      return { ...current, deleted_at: now };
    });
  }

  /** Issues a JWT credential (shown once). Earlier ones stay valid until revoked. */
  async issueJwt(companyId: number, id: number): Promise<{ jwt: string; createdAt: number }> {
    const person = await this.get(companyId, id);
    const now = this.clock.now();
    const jwt = newJwtCredential({
      sub: String(person.id),
      iss: `switchboard:${companyId}`,
      iat: Math.floor(now / 1000),
      jti: randomUUID(),
    });
    await this.db
      .insertInto('person_jwts')
      .values({ company_id: companyId, person_id: person.id, token_hash: tokenHash(jwt), created_at: now })
      .execute();
    return { jwt, createdAt: now };
  }

  /** Revokes every JWT credential of the person; answers how many were live. */
  async revokeJwts(companyId: number, id: number): Promise<number> {
    const person = await this.get(companyId, id);
    const res = await this.db
      .updateTable('person_jwts')
      .set({ revoked_at: this.clock.now() })
      .where('person_id', '=', person.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** Live person by email (any case) or phone number, within one company or across all (sign-in). */
  async findForSignIn(username: string, extension?: string): Promise<Person[]> {
    const raw = username.trim();
    let phone: string | undefined;
    try {
      phone = normalizePhone('username', raw, { allowSip: true });
    } catch {
      phone = undefined;
    }
    let q = this.db.selectFrom('people').selectAll().where('deleted_at', 'is', null);
    q = q.where((eb) =>
      eb.or([
        eb('email_key', '=', raw.toLowerCase()),
        ...(phone ? [eb('phone_number', '=', phone), eb('agent_number', '=', phone)] : []),
      ]),
    );
    if (extension) q = q.where('extension_number', '=', extension);
    return q.orderBy('id').limit(10).execute();
  }

  async findByJwt(jwt: string): Promise<Person | undefined> {
    return this.db
      .selectFrom('person_jwts')
      .innerJoin('people', 'people.id', 'person_jwts.person_id')
      .selectAll('people')
      .where('person_jwts.token_hash', '=', tokenHash(jwt))
      .where('person_jwts.revoked_at', 'is', null)
      .where('people.deleted_at', 'is', null)
      .executeTakeFirst();
  }

  async byExtension(companyId: number, extension: string): Promise<Person | undefined> {
    return this.db
      .selectFrom('people')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .where('extension_number', '=', extension)
      .executeTakeFirst();
  }

  /** Live people of a company whose phone is one of these numbers (a leg to it is their party). */
  async byPhones(companyId: number, numbers: string[]): Promise<Person[]> {
    if (numbers.length === 0) return [];
    return this.db
      .selectFrom('people')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .where('phone_number', 'in', numbers)
      .execute();
  }

  private async assertFree(companyId: number, selfId: number | undefined, v: Checked, conn: Conn) {
    const errors: FieldErrors = {};
    for (const [field, col, value] of [
      ['email', 'email_key', v.email_key],
      ['extension_number', 'extension_number', v.extension_number],
    ] as const) {
      if (value === undefined) continue;
      const other = await conn
        .selectFrom('people')
        .select('id')
        .where('company_id', '=', companyId)
        .where('deleted_at', 'is', null)
        .where(col, '=', value)
        .executeTakeFirst();
      if (other && other.id !== selfId) errors[field] = ['has already been taken'];
    }
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
  }
}

type Checked = Partial<Omit<Person, 'id' | 'company_id' | 'created_at' | 'updated_at' | 'deleted_at'>>;

/** Every check that needs no database, all errors at once; hashes the password last. */
async function checked(input: UserInput, creating: boolean): Promise<Checked> {
  const errors: FieldErrors = {};
  const out: Checked = {};
  const add = (field: string, message: string) => {
    errors[field] = [...(errors[field] ?? []), message];
  };
  if (input.email !== undefined || creating) {
    const email = (input.email ?? '').trim();
    if (!email) add('email', "can't be blank");
    else if (!EMAIL.test(email)) add('email', 'is not an email address');
    else Object.assign(out, { email, email_key: email.toLowerCase() });
  }
  if (input.extension_number !== undefined || creating) {
    const ext = String(input.extension_number ?? '').trim();
    if (!ext) add('extension_number', "can't be blank");
    else if (!EXTENSION.test(ext)) add('extension_number', 'must be 1 to 10 digits');
    else out.extension_number = ext;
  }
  for (const f of ['first_name', 'last_name'] as const) {
    if (input[f] !== undefined) out[f] = input[f]?.trim() || null;
  }
  for (const f of ['phone_number', 'agent_number'] as const) {
    const raw = input[f];
    if (raw === undefined) continue;
    if (raw === null || raw.trim() === '') out[f] = null;
    else {
      try {
        out[f] = normalizePhone(f, raw, { allowSip: f === 'phone_number' });
      } catch (err) {
        if (!(err instanceof ValidationFailed)) throw err;
        for (const m of Object.values(err.errors).flat()) add(f, m);
      }
    }
  }
  if (input.can_make_calls !== undefined) out.can_make_calls = input.can_make_calls ? 1 : 0;
  if (input.status !== undefined) out.status = input.status;
  const password = input.password;
  if (password !== undefined && password !== null && password.length < MIN_PASSWORD)
    add('password', `is too short (minimum is ${MIN_PASSWORD} characters)`);
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  if (password !== undefined) out.password_hash = password === null ? null : await hashPassword(password);
  return out;
}

/** A unique index refused the row: another request took the email or extension meanwhile. */
function takenRace(err: unknown): never {
  if (isUniqueViolation(err)) {
    const text = String((err as Error).message ?? '');
    const field = text.includes('extension') ? 'extension_number' : 'email';
    throw ValidationFailed.field(field, 'has already been taken');
  }
  throw err;
}
