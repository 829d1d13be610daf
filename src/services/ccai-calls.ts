import type { Cancel, Clock } from '../clock.js';
import {
  CALL_TYPE_NAMES,
  CALL_TYPES,
  type CallKind,
  CallRequestRefused,
  futureInstant,
  MENU_TYPES_FOR,
  menuIdOf,
  RECORDING_PERMISSIONS,
  REFUSALS,
} from '../domain/ccai-calls.js';
import { deflectionAt, isLanguageCode, menuOpenAt } from '../domain/ccai-menus.js';
import { NotFound, RuleViolation } from '../domain/errors.js';
import { toE164 } from '../domain/phone.js';
import type { CallPlacer, PlacedDial } from '../domain/placed-call.js';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import type { CallView, CcaiCallRow, CcaiCallViews } from './ccai-call-views.js';
import type { CcaiEndUserService, EndUser } from './ccai-end-users.js';
import type { CcaiMenuService, Menu } from './ccai-menus.js';
import type { CcaiOutboundNumberService } from './ccai-outbound-numbers.js';
import type { Person } from './users.js';

/** `POST /apps/api/v1/calls` as sent: loosely typed, because the seed's errors name malformed values. */
export interface CallRequest {
  call_type?: unknown;
  agent_email?: unknown;
  ticket_id?: unknown;
  end_user_number?: unknown;
  outbound_number?: unknown;
  lang?: unknown;
  menu_id?: unknown;
  call_id?: unknown;
  scheduled_at?: unknown;
  recording_permission?: unknown;
}

export type CreateResult =
  | { kind: 'created'; call: CallView }
  /** No default outbound number and several to choose from: the agent must pick one (202). */
  | { kind: 'choose_outbound_number'; request: Record<string, unknown> };

export interface CustomerFlags {
  verified_customer: boolean;
  bad_actor: boolean;
  repeat_customer: boolean;
}

/** How long an agent's phone rings for one offer, and the end user's phone. */
export const AGENT_RING_S = 30;
export const END_USER_RING_S = 45;

export interface CcaiCallDeps {
  db: Db;
  clock: Clock;
  placer: CallPlacer;
  views: CcaiCallViews;
  menus: CcaiMenuService;
  outboundNumbers: CcaiOutboundNumberService;
  endUsers: CcaiEndUserService;
  logger: Logger;
}

const refuse = (message: string): never => {
  throw new CallRequestRefused(message);
};

const text = (v: unknown): string | undefined =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? undefined : String(v).trim();

/**
 * The face's calls: checks a request in the seed's order, each refusal in its call type's own words;
 * places outbound and incoming calls through the engine at once and scheduled ones at their time
 * (`scheduled_at` on the injectable clock; pending ones are re-armed from the database on start, so a
 * restart loses none); flags customers; cancels scheduled calls.
 */
export class CcaiCallService {
  private readonly timers = new Map<number, Cancel>();
  private stopped = false;

  constructor(private readonly d: CcaiCallDeps) {}

  async create(companyId: number, req: CallRequest): Promise<CreateResult> {
    const kind = CALL_TYPES[String(req.call_type ?? '')];
    if (!kind) refuse(REFUSALS.invalidCallType);
    return kind === 'outbound' ? this.outbound(companyId, req) : this.queued(companyId, kind, req);
  }

  // ---- outbound: the agent's phone first, then the end user ----

  private async outbound(companyId: number, req: CallRequest): Promise<CreateResult> {
    const email = text(req.agent_email);
    if (!email) return refuse(REFUSALS.agentEmailRequired);
    const agent = await this.agentByEmail(companyId, email);
    if (!agent) return refuse(REFUSALS.notAgentEmail);
    if (agent.can_make_calls !== 1) return refuse(REFUSALS.noCallAccess);
    if (agent.status !== 'available' || !agent.phone_number) return refuse(REFUSALS.agentUnavailable);
    const ticket = text(req.ticket_id);
    const rawNumber = text(req.end_user_number);
    if (!ticket && !rawNumber) return refuse(REFUSALS.ticketOrNumberRequired);
    let endUser: EndUser | undefined;
    let number: string | undefined;
    if (ticket) {
      // ticket_id wins over end_user_number: the ticket's end user is dialed.
      endUser = await this.d.endUsers.byTicket(companyId, ticket);
      if (!endUser?.phone_number) return refuse(REFUSALS.contactNotFound);
      number = endUser.phone_number;
    } else {
      number = toE164(rawNumber!);
      if (!number) return refuse(REFUSALS.outboundNumberMalformed);
    }
    const lang = this.lang(req, null);
    const from = await this.outboundNumber(companyId, req, true);
    if (!from) return { kind: 'choose_outbound_number', request: echo(req) };
    const now = this.d.clock.now();
    const row = await this.d.db.transaction().execute(async (tx) => {
      const call = await tx
        .insertInto('ccai_calls')
        .values({
          ...blankCall(companyId, 'outbound', now),
          lang,
          agent_id: agent.id,
          agent_ids: JSON.stringify([agent.id]),
          end_user_id: endUser?.id ?? null,
          end_user_number: number!,
          out_ticket_id: ticket ?? null,
          outbound_number: from,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('ccai_participants')
        .values([
          participant(call, 'agent', agent.id, null, now),
          participant(call, 'end_user', null, endUser?.id ?? null, now),
        ])
        .execute();
      return call;
    });
    const placed = await this.place(row, [[{ to: agent.phone_number, timeoutS: AGENT_RING_S }]]);
    return { kind: 'created', call: await this.d.views.view(placed) };
  }

  private agentByEmail(companyId: number, email: string): Promise<Person | undefined> {
    return this.d.db
      .selectFrom('people')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .where('email_key', '=', email.toLowerCase())
      .executeTakeFirst();
  }

  // ---- incoming and scheduled: the menu's queue first, then the end user ----

  private async queued(
    companyId: number,
    kind: 'incoming' | 'scheduled',
    req: CallRequest,
  ): Promise<CreateResult> {
    const parent = kind === 'scheduled' ? await this.parentCall(companyId, req.call_id) : undefined;
    const menu = await this.menuOf(companyId, kind, req.menu_id, parent);
    // ticket_id wins over end_user_number; an unknown ticket is still recorded on the call.
    const ticket = text(req.ticket_id);
    const byTicket = ticket ? await this.d.endUsers.byTicket(companyId, ticket) : undefined;
    let number = byTicket?.phone_number ?? undefined;
    if (!number) {
      const raw = text(req.end_user_number) ?? parent?.end_user_number;
      if (!raw) return refuse(REFUSALS.numberRequired);
      number = toE164(raw);
      if (!number) return refuse(REFUSALS.numberMalformed);
    }
    const lang = this.lang(req, menu);
    const now = this.d.clock.now();
    if (menu?.manual_redirection === 1) return refuse(REFUSALS.manualRedirection);
    let scheduledAt: number | null = null;
    if (kind === 'scheduled') {
      if (text(req.scheduled_at) === undefined) return refuse(REFUSALS.scheduledAtRequired);
      scheduledAt = futureInstant(req.scheduled_at, now) ?? refuse(REFUSALS.scheduledAtInvalid);
    }
    // A scheduled call is checked against the hours at its own time.
    if (menu && !menuOpenAt(menu.hours, scheduledAt ?? now)) return refuse(REFUSALS.afterHours);
    const permission = text(req.recording_permission) ?? 'recording_permission_not_asked';
    if (!RECORDING_PERMISSIONS.includes(permission as (typeof RECORDING_PERMISSIONS)[number]))
      return refuse(REFUSALS.recordingPermission);
    const from = await this.outboundNumber(companyId, req, false);
    if (!from) return refuse(REFUSALS.noOutboundNumber);
    const endUser = byTicket ?? (await this.d.endUsers.forPhone(companyId, number, ticket ?? null));
    const queue = menu ? menu.agent_ids : parent?.agent_id ? [parent.agent_id] : [];
    const row = await this.d.db.transaction().execute(async (tx) => {
      const call = await tx
        .insertInto('ccai_calls')
        .values({
          ...blankCall(companyId, kind, now),
          lang,
          parent_id: parent?.id ?? null,
          menu_id: menu?.id ?? null,
          agent_ids: JSON.stringify(queue),
          offer_type: menu?.offer_type ?? 'cascade',
          end_user_id: endUser.id,
          end_user_number: number!,
          out_ticket_id: ticket ?? null,
          outbound_number: from,
          recording_permission: permission,
          scheduled_at: scheduledAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('ccai_participants')
        .values(participant(call, 'end_user', null, endUser.id, now))
        .execute();
      return call;
    });
    if (kind === 'scheduled') {
      this.arm(row.id, row.scheduled_at!);
      return { kind: 'created', call: await this.d.views.view(row) };
    }
    return { kind: 'created', call: await this.d.views.view(await this.placeQueued(row)) };
  }

  private async parentCall(companyId: number, raw: unknown): Promise<CcaiCallRow | undefined> {
    if (raw === undefined || raw === null || raw === '') return undefined;
    const id = menuIdOf(raw);
    if (id === undefined) return refuse(REFUSALS.callMalformed);
    return this.d.views.row(companyId, id).catch((err) => {
      if (err instanceof NotFound) return refuse(REFUSALS.callNotFound(id));
      throw err;
    });
  }

  /** The call's menu: `menu_id`, or the parent call's when a scheduled call names one (then optional). */
  private async menuOf(
    companyId: number,
    kind: 'incoming' | 'scheduled',
    raw: unknown,
    parent: CcaiCallRow | undefined,
  ): Promise<Menu | null> {
    if (raw === undefined || raw === null || raw === '') {
      if (!parent) return refuse(REFUSALS.menuRequired);
      return parent.menu_id ? ((await this.d.menus.live(companyId, parent.menu_id)) ?? null) : null;
    }
    const id = menuIdOf(raw);
    if (id === undefined) return refuse(REFUSALS.menuMalformed);
    const menu = await this.d.menus.live(companyId, id);
    if (!menu) return refuse(REFUSALS.menuNotFound(id));
    if (!MENU_TYPES_FOR[kind].includes(menu.menu_type))
      return refuse(kind === 'incoming' ? REFUSALS.incomingMenuType : REFUSALS.scheduledMenuType);
    return menu;
  }

  /** `lang`, `en` by default: a known ISO 639-1 code, and one of the menu's languages when there is a menu. */
  private lang(req: CallRequest, menu: Menu | null): string {
    const asked = text(req.lang) ?? 'en';
    const lang = asked.toLowerCase();
    if (!isLanguageCode(lang)) return refuse(REFUSALS.languageNotFound(asked));
    if (menu && !menu.languages.includes(lang)) return refuse(REFUSALS.languageNotAvailable(asked));
    return lang;
  }

  /**
   * The caller id: `outbound_number` when it is one of the company's, else the default, else the only
   * one. With several and no default: undefined — an outbound call then asks the agent to choose (202);
   * queued calls take the oldest.
   */
  private async outboundNumber(
    companyId: number,
    req: CallRequest,
    mayAsk: boolean,
  ): Promise<string | undefined> {
    const numbers = await this.d.outboundNumbers.all(companyId);
    if (!numbers.length) return refuse(REFUSALS.noOutboundNumber);
    const wanted = text(req.outbound_number);
    const asked = wanted ? toE164(wanted) : undefined;
    const chosen =
      numbers.find((n) => n.number === asked) ??
      numbers.find((n) => n.is_default === 1) ??
      (numbers.length === 1 || !mayAsk ? numbers[0] : undefined);
    return chosen?.number;
  }

  // ---- placing ----

  /** Hands the call to the engine and waits until its first dials are out. */
  private async place(row: CcaiCallRow, offers: PlacedDial[][]): Promise<CcaiCallRow> {
    const uuid = await this.d.placer.place({
      companyId: row.company_id,
      from: row.outbound_number,
      first: offers,
      second: { to: row.end_user_number, timeoutS: END_USER_RING_S },
      record: row.recording_permission === 'recording_permission_granted',
      // The agent handles the call once both answered: transfers move the end user, as an agent's do.
      firstLegHandles: true,
    });
    const now = this.d.clock.now();
    const placed = await this.d.db
      .updateTable('ccai_calls')
      .set({ call_uuid: uuid, placed_at: row.placed_at ?? now, updated_at: now })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.d.placer.settled(uuid);
    return placed;
  }

  /**
   * Offers a queued call to the menu's agents who can take it now (available, with a phone): a cascade
   * one after another in the queue's order, a multicast all at once. With nobody to offer it to, the call
   * fails at once (`no_available_agent`) and nothing is dialed.
   */
  private async placeQueued(row: CcaiCallRow): Promise<CcaiCallRow> {
    const ids: number[] = JSON.parse(row.agent_ids);
    const people = ids.length
      ? await this.d.db
          .selectFrom('people')
          .selectAll()
          .where('company_id', '=', row.company_id)
          .where('deleted_at', 'is', null)
          .where('id', 'in', ids)
          .execute()
      : [];
    const byId = new Map(people.map((p) => [p.id, p]));
    const dials = ids
      .map((id) => byId.get(id))
      .filter((p): p is Person => !!p && p.status === 'available' && !!p.phone_number)
      .map((p) => ({ to: p.phone_number!, timeoutS: AGENT_RING_S }));
    const now = this.d.clock.now();
    if (!dials.length) {
      return this.d.db
        .updateTable('ccai_calls')
        .set({ placed_at: row.placed_at ?? now, fail_reason: 'no_available_agent', updated_at: now })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    const offers = row.offer_type === 'multicast' ? [dials] : dials.map((d) => [d]);
    return this.place(row, offers);
  }

  // ---- scheduled calls ----

  /** Re-arms every scheduled call still waiting (a new process, or after a restart). */
  async start(): Promise<void> {
    this.stopped = false;
    const waiting = await this.d.db
      .selectFrom('ccai_calls')
      .select(['id', 'scheduled_at'])
      .where('scheduled_at', 'is not', null)
      .where('placed_at', 'is', null)
      .where('cancelled_at', 'is', null)
      .execute();
    for (const w of waiting) this.arm(w.id, w.scheduled_at!);
  }

  /** Drops the timers (the database keeps the calls; `start` finds them again). */
  stop(): void {
    this.stopped = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  private arm(id: number, at: number): void {
    if (this.stopped || this.timers.has(id)) return;
    const delay = Math.max(0, at - this.d.clock.now());
    this.timers.set(
      id,
      this.d.clock.schedule(delay, () =>
        this.fire(id).catch((err) =>
          this.d.logger.error({ ccaiCall: id, err: String(err) }, 'scheduled call could not be placed'),
        ),
      ),
    );
  }

  /**
   * Its time came: the call is claimed (once, even with several processes) and queued like an incoming
   * one — unless its menu turns it away now (hours or manual redirection changed since it was
   * scheduled): then it is `deflected` and nothing is dialed. A callback of a failed call is marked so
   * that finishing makes it `recovered`.
   */
  private async fire(id: number): Promise<void> {
    this.timers.delete(id);
    const now = this.d.clock.now();
    const row = await this.d.db.selectFrom('ccai_calls').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return;
    const menu = row.menu_id ? await this.d.menus.live(row.company_id, row.menu_id) : undefined;
    const deflection = menu ? deflectionAt(menu, now) : null;
    const claimed = await this.d.db
      .updateTable('ccai_calls')
      .set({
        placed_at: now,
        queued_at: deflection ? null : now,
        deflection,
        recovers: (await this.parentFailed(row)) ? 1 : 0,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('placed_at', 'is', null)
      .where('cancelled_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!claimed || deflection) return;
    try {
      await this.placeQueued(claimed);
    } catch (err) {
      // Claimed but not placed (the engine refused it): the call fails instead of waiting for ever.
      await this.d.db
        .updateTable('ccai_calls')
        .set({ fail_reason: 'telephony_failure', updated_at: this.d.clock.now() })
        .where('id', '=', id)
        .where('call_uuid', 'is', null)
        .execute();
      throw err;
    }
  }

  private async parentFailed(row: CcaiCallRow): Promise<boolean> {
    if (row.parent_id === null) return false;
    const parent = await this.d.views.get(row.company_id, row.parent_id).catch(() => undefined);
    return parent?.state.status === 'failed';
  }

  /** Cancels a scheduled call not placed yet; `already` when it was cancelled before (204). */
  async cancel(companyId: number, id: number): Promise<{ call: CallView; already: boolean }> {
    const row = await this.d.views.row(companyId, id);
    if (row.call_type !== CALL_TYPE_NAMES.scheduled)
      throw new RuleViolation('Only scheduled calls can be cancelled');
    if (row.cancelled_at !== null) return { call: await this.d.views.view(row), already: true };
    const now = this.d.clock.now();
    const cancelled = await this.d.db
      .updateTable('ccai_calls')
      .set({ cancelled_at: now, updated_at: now })
      .where('id', '=', row.id)
      .where('placed_at', 'is', null)
      .where('cancelled_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!cancelled) throw new RuleViolation('The call is no longer scheduled: it was placed at its time');
    this.timers.get(id)?.();
    this.timers.delete(id);
    return { call: await this.d.views.view(cancelled), already: false };
  }

  /** Cancels several: every id is checked first, so a bad one cancels none. */
  async cancelMany(companyId: number, ids: number[]): Promise<CallView[]> {
    for (const id of ids) {
      const row = await this.d.views.row(companyId, id);
      if (row.call_type !== CALL_TYPE_NAMES.scheduled)
        throw new RuleViolation(`Call ${id} is not a scheduled call`);
      if (row.cancelled_at === null && row.placed_at !== null)
        throw new RuleViolation(`Call ${id} is no longer scheduled: it was placed at its time`);
    }
    const out = [];
    for (const id of [...new Set(ids)]) out.push((await this.cancel(companyId, id)).call);
    return out;
  }

  // ---- customer flags ----

  async flags(companyId: number, id: number): Promise<CustomerFlags> {
    return flagsOf(await this.d.views.row(companyId, id));
  }

  async setFlags(companyId: number, id: number, patch: Partial<CustomerFlags>): Promise<CustomerFlags> {
    const row = await this.d.views.row(companyId, id);
    const set: Record<string, number> = {};
    for (const k of ['verified_customer', 'bad_actor', 'repeat_customer'] as const)
      if (patch[k] !== undefined) set[k] = patch[k] ? 1 : 0;
    if (!Object.keys(set).length) return flagsOf(row);
    const updated = await this.d.db
      .updateTable('ccai_calls')
      .set({ ...set, updated_at: this.d.clock.now() })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return flagsOf(updated);
  }
}

function flagsOf(row: CcaiCallRow): CustomerFlags {
  return {
    verified_customer: row.verified_customer === 1,
    bad_actor: row.bad_actor === 1,
    repeat_customer: row.repeat_customer === 1,
  };
}

function blankCall(companyId: number, kind: CallKind, now: number) {
  return {
    company_id: companyId,
    call_type: CALL_TYPE_NAMES[kind],
    call_uuid: null,
    parent_id: null,
    menu_id: null,
    agent_id: null,
    offer_type: null,
    end_user_id: null,
    out_ticket_id: null,
    recording_permission: 'recording_permission_not_asked',
    verified_customer: 0,
    bad_actor: 0,
    repeat_customer: 0,
    created_at: now,
    queued_at: kind === 'incoming' ? now : null,
    scheduled_at: null,
    placed_at: null,
    cancelled_at: null,
    fail_reason: null,
    updated_at: now,
  };
}

function participant(
  call: CcaiCallRow,
  type: 'agent' | 'end_user',
  userId: number | null,
  endUserId: number | null,
  now: number,
) {
  return {
    company_id: call.company_id,
    call_id: call.id,
    type,
    user_id: userId,
    end_user_id: endUserId,
    leg_id: null,
    created_at: now,
  };
}

/** What a 202 answers: the request's own fields, as the seed's examples show. */
function echo(req: CallRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of [
    'call_type',
    'agent_email',
    'ticket_id',
    'end_user_number',
    'outbound_number',
    'lang',
  ] as const)
    if (req[k] !== undefined) out[k] = req[k];
  return out;
}
