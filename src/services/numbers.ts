import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { type FieldErrors, Gone, NotFound, RuleViolation, ValidationFailed } from '../domain/errors.js';
import {
  candidates,
  NUMBER_COUNTRIES,
  NUMBER_TYPES,
  type NumberCountry,
  type NumberType,
} from '../domain/number-inventory.js';
import type { Random } from '../domain/random-ids.js';
import type { Conn, Db } from '../store/db.js';
import { affiliateIdsByAfid, campaignIdsByCid } from '../store/lookups.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { NumbersTable } from '../store/schema.js';
import { isUniqueViolation } from '../store/unique.js';
import type { AffiliateService } from './affiliates.js';
import { type Campaign, type CampaignService, greetingState } from './campaigns.js';
import {
  applyGreeting,
  type GreetingInput,
  type GreetingState,
  hasGreetingInput,
  planGreeting,
} from './greetings.js';
import { applyNested, deleteNested, loadNested, menuInput, type NestedInput, planNested } from './nested.js';
import { type NumberView, numberViews } from './number-views.js';
import { applyRoutingList, type RoutingListInput, touchesRoutingList } from './routing-lists.js';

export type NumberRow = Selectable<NumbersTable>;
export type { NumberView } from './number-views.js';

export interface NumberInput extends GreetingInput, NestedInput, RoutingListInput {
  type?: string;
  desired_text?: string | null;
  country?: string;
  afid?: string;
  cid?: string;
  sid?: string | null;
  repeat?: number;
}

export interface NumberFilters {
  cid?: string;
  afid?: string;
  sid?: string;
}

// Enough draws to get past any realistic crowding of the simulated inventory.
const MAX_DRAWS = 2000;

/** Tracking numbers, provisioned from the simulated inventory; each may override its campaign's settings. */
export class NumberService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly affiliates: AffiliateService,
    private readonly campaigns: CampaignService,
  ) {}

  async list(companyId: number, filters: NumberFilters, page: number): Promise<Page<NumberView>> {
    let q = this.db
      .selectFrom('numbers')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .orderBy('id');
    if (filters.cid !== undefined)
      q = q.where('campaign_id', 'in', campaignIdsByCid(this.db, companyId, filters.cid));
    if (filters.afid !== undefined) {
      q = q.where('affiliate_id', 'in', affiliateIdsByAfid(this.db, companyId, filters.afid));
    }
    if (filters.sid !== undefined) q = q.where('sid', '=', filters.sid);
    const result = await fetchPage(q, page);
    return { ...result, rows: await numberViews(this.db, result.rows) };
  }

  async get(companyId: number, id: number): Promise<NumberView> {
    return (await numberViews(this.db, [await this.find(companyId, id)]))[0];
  }

  async find(companyId: number, id: number, conn: Conn = this.db): Promise<NumberRow> {
    const row = await conn
      .selectFrom('numbers')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFound('Number');
    if (row.deleted_at !== null) throw new Gone('Number');
    return row;
  }

  async create(companyId: number, input: NumberInput): Promise<NumberView> {
    const { type, country } = provisioning(input);
    return retryOnConflict(() =>
      this.db.transaction().execute(async (tx) => {
        const campaign = await this.campaigns.byCid(companyId, input.cid!, tx);
        const greeting = hasGreetingInput(input)
          ? planGreeting(input, inheritedGreeting(campaign))
          : undefined;
        const plan = await planNested(tx, { companyId, ownerLabel: 'number' }, input, {
          timers: [],
          menuOptions: [],
        });

        const now = this.clock.now();
        const affiliate = await this.affiliates.findOrCreate(companyId, input.afid!.trim(), tx);
        const picked = await this.allocate(tx, type, country, input.desired_text);
        const g = greeting ? await applyGreeting(tx, companyId, greeting, null, now) : undefined;
        const row = await tx
          .insertInto('numbers')
          .values({
            company_id: companyId,
            number: picked.number,
            toll_free: picked.tollFree ? 1 : 0,
            country: type === 'Toll-free' ? 'US' : country,
            campaign_id: campaign.id,
            affiliate_id: affiliate.id,
            sid: input.sid ?? null,
            number_pool_id: null,
            greeting_overridden: g ? 1 : 0,
            greeting_message: g?.message ?? null,
            greeting_voice_gender: g?.voice_gender ?? null,
            greeting_audio_id: g?.audio_id ?? null,
            repeat: input.repeat ?? null,
            timers_overridden: input.timers_attributes !== undefined ? 1 : 0,
            menu_overridden: menuInput(input) !== undefined ? 1 : 0,
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await applyNested(tx, 'number', row.id, plan, now);
        if (touchesRoutingList(input)) await applyRoutingList(tx, companyId, 'number', row.id, input);
        return (await numberViews(tx, [row]))[0];
      }),
    );
  }

  async update(companyId: number, id: number, input: NumberInput): Promise<NumberView> {
    const fixed: FieldErrors = {};
    for (const k of ['type', 'country', 'desired_text'] as const) {
      if (input[k] !== undefined) fixed[k] = ["can't be changed: delete the number and create a new one"];
    }
    if (input.afid !== undefined && !input.afid.trim()) fixed.afid = ["can't be blank"];
    if (Object.keys(fixed).length) throw new ValidationFailed(fixed);
    return this.db.transaction().execute(async (tx) => {
      const current = await this.find(companyId, id, tx);
      const campaign =
        input.cid !== undefined
          ? await this.campaigns.byCid(companyId, input.cid, tx)
          : await this.campaigns.find(companyId, current.campaign_id, tx);
      const base = current.greeting_overridden ? ownGreeting(current) : inheritedGreeting(campaign);
      const greeting = hasGreetingInput(input) ? planGreeting(input, base) : undefined;
      const existing = (await loadNested(tx, 'number', [current.id])).get(current.id)!;
      const plan = await planNested(tx, { companyId, ownerLabel: 'number' }, input, existing);

      const now = this.clock.now();
      const affiliate =
        input.afid !== undefined
          ? await this.affiliates.findOrCreate(companyId, input.afid.trim(), tx)
          : undefined;
      const g = greeting
        ? await applyGreeting(tx, companyId, greeting, current.greeting_audio_id, now)
        : undefined;
      // destroy_nested alone hands timers and menu options back to the campaign.
      const overridden = (sent: boolean, was: number) => (sent ? 1 : input.destroy_nested ? 0 : was);
      const row = await tx
        .updateTable('numbers')
        .set({
          campaign_id: campaign.id,
          ...(affiliate ? { affiliate_id: affiliate.id } : {}),
          ...(input.sid !== undefined ? { sid: input.sid } : {}),
          ...(input.repeat !== undefined ? { repeat: input.repeat } : {}),
          ...(g
            ? {
                greeting_overridden: 1,
                greeting_message: g.message,
                greeting_voice_gender: g.voice_gender,
                greeting_audio_id: g.audio_id,
              }
            : {}),
          timers_overridden: overridden(input.timers_attributes !== undefined, current.timers_overridden),
          menu_overridden: overridden(menuInput(input) !== undefined, current.menu_overridden),
          updated_at: now,
        })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await applyNested(tx, 'number', row.id, plan, now);
      if (touchesRoutingList(input)) await applyRoutingList(tx, companyId, 'number', row.id, input);
      if (!row.timers_overridden) await deleteNested(tx, 'number', row.id, 'timers');
      if (!row.menu_overridden) await deleteNested(tx, 'number', row.id, 'menu_options');
      return (await numberViews(tx, [row]))[0];
    });
  }

  /** Soft delete: the number goes back to the inventory (live numbers are unique, deleted ones are not). */
  async remove(companyId: number, id: number): Promise<NumberView> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.find(companyId, id, tx);
      const deletedAt = this.clock.now();
      await tx.updateTable('numbers').set({ deleted_at: deletedAt }).where('id', '=', current.id).execute();
      return (await numberViews(tx, [{ ...current, deleted_at: deletedAt }]))[0];
    });
  }

  /** The first inventory candidate no live number in the whole system uses. */
  private async allocate(
    conn: Conn,
    type: NumberType,
    country: NumberCountry,
    desiredText: string | null | undefined,
  ) {
    let draws = 0;
    for (const c of candidates({ type, country, desiredText }, this.random)) {
      const used = await conn
        .selectFrom('numbers')
        .select('id')
        .where('number', '=', c.number)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!used) return c;
      if (++draws >= MAX_DRAWS) break;
    }
    throw new RuleViolation('No numbers of that kind are available right now: try another type or country');
  }
}

/** Checks the create-only parameters before anything is read or written. */
function provisioning(input: NumberInput): { type: NumberType; country: NumberCountry } {
  const errors: FieldErrors = {};
  const type = NUMBER_TYPES.find((t) => t.toLowerCase() === (input.type ?? 'Toll-free').trim().toLowerCase());
  if (!type) errors.type = ['must be Toll-free or Local'];
  const country = NUMBER_COUNTRIES.find((c) => c === (input.country ?? 'US').trim().toUpperCase());
  if (!country) errors.country = [`must be one of ${NUMBER_COUNTRIES.join(' ')}`];
  if (!input.afid?.trim()) errors.afid = ["can't be blank"];
  if (!input.cid?.trim()) errors.cid = ["can't be blank"];
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  return { type: type!, country: country! };
}

/** A number starts its own greeting from the campaign's spoken one (an audio file is not copied). */
function inheritedGreeting(c: Campaign): GreetingState {
  return { ...greetingState(c), audio_id: null };
}

export function ownGreeting(n: NumberRow): GreetingState {
  return {
    message: n.greeting_message,
    voice_gender: n.greeting_voice_gender ?? 'Male',
    audio_id: n.greeting_audio_id,
  };
}

/** Two requests may draw the same free number at once; the unique index stops one, which then tries again. */
async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isUniqueViolation(err)) throw err;
    }
  }
}
