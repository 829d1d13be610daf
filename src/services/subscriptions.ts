import { randomBytes, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { DomainError, NotFound, ValidationFailed } from '../domain/errors.js';
import { type EventFilter, parseEventFilter } from '../domain/event-filters.js';
import { isHttpUrl } from '../domain/urls.js';
import type { Db } from '../store/db.js';
import type { RcSubscriptionsTable } from '../store/schema-people.js';

export type SubscriptionRow = Selectable<RcSubscriptionsTable>;

/** Who owns a subscription: the signed-in extension. */
export interface SubscriptionOwner {
  companyId: number;
  personId: number;
}

export interface SubscriptionInput {
  eventFilters?: unknown;
  deliveryMode?: { transportType?: unknown; address?: unknown } | null;
  expiresIn?: unknown;
}

/** A subscription request refused for a RingCentral reason (`SUB-…`): the face answers 400 with the code. */
export class SubscriptionRefused extends DomainError {
  readonly code = 'subscription_refused';
  constructor(
    readonly rcCode: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Sends the WebHook handshake: a POST with `Validation-Token` that the receiver must echo in its answer's
 * header. Resolves with the HTTP status and the echoed token (undefined when the request failed).
 */
export type ValidationProbe = (
  url: string,
  token: string,
) => Promise<{ status: number; echoed?: string } | undefined>;

const DEFAULT_EXPIRES_IN = 604_800;
const MAX_EXPIRES_IN = 315_360_000;
const MAX_FILTERS = 50;

/** RingCentral-face subscriptions: WebHook (with handshake) and WebSocket (bound to a gateway session). */
export class SubscriptionService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly probe: ValidationProbe,
  ) {}

  async create(
    owner: SubscriptionOwner,
    input: SubscriptionInput,
    wsSession?: string,
  ): Promise<SubscriptionRow> {
    const filters = checkFilters(owner, input.eventFilters);
    const expiresIn = checkExpiresIn(input.expiresIn);
    const mode = await this.deliveryMode(input.deliveryMode, wsSession);
    const now = this.clock.now();
    return this.db
      .insertInto('rc_subscriptions')
      .values({
        id: randomUUID(),
        company_id: owner.companyId,
        person_id: owner.personId,
        event_filters: JSON.stringify(filters),
        transport: mode.transport,
        address: mode.address,
        ws_session: mode.wsSession,
        expires_in: expiresIn,
        expires_at: now + expiresIn * 1000,
        created_at: now,
        deleted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async list(owner: SubscriptionOwner): Promise<SubscriptionRow[]> {
    return this.db
      .selectFrom('rc_subscriptions')
      .selectAll()
      .where('company_id', '=', owner.companyId)
      .where('person_id', '=', owner.personId)
      .where('deleted_at', 'is', null)
      .where('expires_at', '>', this.clock.now())
      .orderBy('created_at')
      .limit(1000)
      .execute();
  }

  /** A live subscription of the owner; an expired, deleted, unknown or someone else's one is 404. */
  async get(owner: SubscriptionOwner, id: string): Promise<SubscriptionRow> {
    const row = await this.db
      .selectFrom('rc_subscriptions')
      .selectAll()
      .where('id', '=', id)
      .where('company_id', '=', owner.companyId)
      .where('person_id', '=', owner.personId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row || row.expires_at <= this.clock.now()) throw new NotFound('subscriptionId');
    return row;
  }

  /** Replaces the filters (and expiry, when given); the delivery mode stays. */
  async update(owner: SubscriptionOwner, id: string, input: SubscriptionInput): Promise<SubscriptionRow> {
    const current = await this.get(owner, id);
    const filters = checkFilters(owner, input.eventFilters);
    const expiresIn = input.expiresIn === undefined ? current.expires_in : checkExpiresIn(input.expiresIn);
    return this.db
      .updateTable('rc_subscriptions')
      .set({
        event_filters: JSON.stringify(filters),
        expires_in: expiresIn,
        expires_at: this.clock.now() + expiresIn * 1000,
      })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async renew(owner: SubscriptionOwner, id: string): Promise<SubscriptionRow> {
    const current = await this.get(owner, id);
    return this.db
      .updateTable('rc_subscriptions')
      .set({ expires_at: this.clock.now() + current.expires_in * 1000 })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async remove(owner: SubscriptionOwner, id: string): Promise<void> {
    const current = await this.get(owner, id);
    await this.db
      .updateTable('rc_subscriptions')
      .set({ deleted_at: this.clock.now() })
      .where('id', '=', current.id)
      .execute();
  }

  /** Live subscriptions of a company, for the notifier. */
  async activeIn(companyId: number): Promise<SubscriptionRow[]> {
    return this.db
      .selectFrom('rc_subscriptions')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .where('expires_at', '>', this.clock.now())
      .execute();
  }

  /** A WebSocket session that was not recovered in time takes its subscriptions with it. */
  async dropWsSession(wsSession: string): Promise<void> {
    await this.db
      .updateTable('rc_subscriptions')
      .set({ deleted_at: this.clock.now() })
      .where('ws_session', '=', wsSession)
      .where('deleted_at', 'is', null)
      .execute();
  }

  private async deliveryMode(
    mode: SubscriptionInput['deliveryMode'],
    wsSession: string | undefined,
  ): Promise<{ transport: 'WebHook' | 'WebSocket'; address: string | null; wsSession: string | null }> {
    const transport = mode?.transportType;
    if (transport === 'WebSocket') {
      if (!wsSession)
        throw new SubscriptionRefused(
          'SUB-406',
          'WebSocket subscriptions are made over the WebSocket itself (POST /restapi/oauth/wstoken, then a ClientRequest)',
        );
      return { transport, address: null, wsSession };
    }
    if (transport === 'WebHook') {
      const address = typeof mode?.address === 'string' ? mode.address.trim() : '';
      if (!isHttpUrl(address)) throw ValidationFailed.field('deliveryMode.address', 'must be an http(s) URL');
      await this.handshake(address);
      return { transport, address, wsSession: null };
    }
    if (transport === 'PubNub')
      throw new SubscriptionRefused(
        'SUB-406',
        'PubNub cannot be reached from Switchboard: use the WebHook or WebSocket transport',
      );
    throw ValidationFailed.field('deliveryMode.transportType', 'must be WebHook or WebSocket');
  }

  private async handshake(address: string): Promise<void> {
    const token = randomBytes(16).toString('hex');
    const answer = await this.probe(address, token).catch(() => undefined);
    if (!answer) throw new SubscriptionRefused('SUB-521', `WebHook ${address} could not be reached`);
    if (answer.status !== 200)
      throw new SubscriptionRefused(
        'SUB-521',
        `WebHook responds with incorrect HTTP status code. Expected 200, actual ${answer.status}`,
      );
    if (answer.echoed !== token)
      throw new SubscriptionRefused('SUB-522', 'WebHook responds with incorrect Validation-Token header');
  }
}

export function filtersOf(row: Pick<SubscriptionRow, 'event_filters'>): string[] {
  return JSON.parse(row.event_filters) as string[];
}

function checkFilters(owner: SubscriptionOwner, raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0)
    throw ValidationFailed.field('eventFilters', 'must be a non-empty list');
  if (raw.length > MAX_FILTERS)
    throw ValidationFailed.field('eventFilters', `may hold at most ${MAX_FILTERS}`);
  const filters: string[] = [];
  for (const f of raw) {
    const parsed =
      typeof f === 'string'
        ? parseEventFilter(f, { accountId: owner.companyId, extensionId: owner.personId })
        : undefined;
    if (!parsed || !reachable(owner, parsed))
      throw new SubscriptionRefused(
        'SUB-403',
        `Event filter is not supported or not permitted: ${String(f).slice(0, 200)}`,
      );
    filters.push(String(f).trim());
  }
  return [...new Set(filters)];
}

/** A subscriber hears its own account only. */
function reachable(owner: SubscriptionOwner, f: EventFilter): boolean {
  return f.accountId === owner.companyId;
}

function checkExpiresIn(raw: unknown): number {
  if (raw === undefined || raw === null) return DEFAULT_EXPIRES_IN;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_EXPIRES_IN)
    throw ValidationFailed.field('expiresIn', `must be an integer from 1 to ${MAX_EXPIRES_IN}`);
  return n;
}
