import { randomInt, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { NotFound, ValidationFailed } from '../domain/errors.js';
import { normalizePhone } from '../domain/phone.js';
import type { CallPlacer } from '../domain/placed-call.js';
import type { Db } from '../store/db.js';
import type { RcOrigin, RcSessionsTable } from '../store/schema-people.js';
import type { Person, UserService } from './users.js';

export type RcSessionRow = Selectable<RcSessionsTable>;

/** How long each side of a call-out or ring-out may ring before it counts as not answered. */
export const ORIGINATE_RING_S = 60;

/** Where a call goes: a phone number, or an extension of the account (its person's phone). */
export interface Destination {
  phoneNumber?: string;
  extensionNumber?: string;
}

export interface OriginateDeps {
  db: Db;
  clock: Clock;
  users: UserService;
  placer: CallPlacer;
}

/**
 * Calls a RingCentral user places from the API: call-out (the user's device first, then the
 * destination), ring-out (any phone first, then the destination) and conferences. The engine carries
 * the call (`CallPlacer`); this records how it started, so the face can show its origin and the user's
 * party, and find a ring-out again by its id.
 */
export class RcOriginateService {
  constructor(private readonly d: OriginateDeps) {}

  /** `from.deviceId` is one of the user's own devices (device id = extension id); anything else is 404. */
  async callOut(person: Person, deviceId: string, to: Destination): Promise<string> {
    if (deviceId !== String(person.id) || !person.phone_number) throw new NotFound('deviceId');
    const dest = await this.destination(person.company_id, to, 'to');
    return this.place(person, 'CallOut', person.phone_number, dest, callerIdOf(person));
  }

  /** Rings `from` (any phone, the user's own by default), then `to`; `callerId` is what `to` sees. */
  async ringOut(person: Person, body: { from?: string; to?: string; callerId?: string }): Promise<string> {
    if (!body.from) throw ValidationFailed.field('from.phoneNumber', 'is required');
    if (!body.to) throw ValidationFailed.field('to.phoneNumber', 'is required');
    const first = normalizePhone('from.phoneNumber', body.from, { allowSip: true });
    const dest = normalizePhone('to.phoneNumber', body.to, { allowSip: true });
    const callerId = body.callerId
      ? normalizePhone('callerId.phoneNumber', body.callerId)
      : (callerIdOf(person) ?? first);
    return this.place(person, 'RingOut', first, dest, callerId);
  }

  /**
   * A conference session with no party yet: parties join by being brought in from other sessions. Its
   * `voiceCallToken` is what a host's phone would dial; the simulated network has no such number.
   */
  async conference(person: Person): Promise<RcSessionRow> {
    const row: RcSessionRow = {
      uuid: randomUUID(),
      company_id: person.company_id,
      person_id: person.id,
      origin: 'Conference',
      first_to: null,
      voice_call_token: String(randomInt(10 ** 9, 10 ** 10)),
      created_at: this.d.clock.now(),
    };
    await this.d.db.insertInto('rc_sessions').values(row).execute();
    return row;
  }

  /** A session this face started, of this user (a ring-out of another user is not found). */
  async started(person: Person, uuid: string, origin: RcOrigin): Promise<RcSessionRow> {
    const row = await this.d.db
      .selectFrom('rc_sessions')
      .selectAll()
      .where('uuid', '=', uuid)
      .where('company_id', '=', person.company_id)
      .where('origin', '=', origin)
      .executeTakeFirst();
    if (!row || row.person_id !== person.id) throw new NotFound('ringoutId');
    return row;
  }

  /** The row is written before the call starts: no event of the call is ever seen without it. */
  private async place(
    person: Person,
    origin: RcOrigin,
    first: string,
    second: string,
    from: string | undefined,
  ): Promise<string> {
    const uuid = randomUUID();
    await this.d.db
      .insertInto('rc_sessions')
      .values({
        uuid,
        company_id: person.company_id,
        person_id: person.id,
        origin,
        first_to: first,
        voice_call_token: null,
        created_at: this.d.clock.now(),
      })
      .execute();
    try {
      await this.d.placer.place({
        callUuid: uuid,
        companyId: person.company_id,
        from: from ?? first,
        first: [[{ to: first, timeoutS: ORIGINATE_RING_S }]],
        second: { to: second, timeoutS: ORIGINATE_RING_S },
      });
    } catch (err) {
      await this.d.db.deleteFrom('rc_sessions').where('uuid', '=', uuid).execute();
      throw err;
    }
    await this.d.placer.settled(uuid);
    return uuid;
  }

  private async destination(companyId: number, to: Destination, field: string): Promise<string> {
    if (to.phoneNumber) return normalizePhone(`${field}.phoneNumber`, to.phoneNumber, { allowSip: true });
    if (to.extensionNumber) {
      const person = await this.d.users.byExtension(companyId, to.extensionNumber);
      if (!person) throw new NotFound('extensionNumber');
      if (!person.phone_number)
        throw ValidationFailed.field(`${field}.extensionNumber`, 'has no phone to ring');
      return person.phone_number;
    }
    throw ValidationFailed.field(`${field}.phoneNumber`, 'is required (or extensionNumber)');
  }
}

/** What the far end sees: the user's own number (a `sip:` device has none to show). */
function callerIdOf(person: Person): string | undefined {
  if (person.phone_number && !person.phone_number.startsWith('sip:')) return person.phone_number;
  return person.agent_number ?? undefined;
}
