import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { Gone, NotFound, RuleViolation, Unavailable, ValidationFailed } from '../domain/errors.js';
import { type Random, randomHex, randomString } from '../domain/random-ids.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { CampaignsTable } from '../store/schema.js';
import { pick } from './affiliates.js';
import {
  applyGreeting,
  type GreetingInput,
  type GreetingView,
  greetingView,
  hasGreetingInput,
  loadAudio,
  planGreeting,
} from './greetings.js';
import {
  applyNested,
  loadNested,
  type MenuOption,
  menuOptionsTargeting,
  type NestedInput,
  planNested,
  renameTargetCid,
  type Timer,
  type TimerInput,
} from './nested.js';

import {
  applyRoutingList,
  type RoutingList,
  type RoutingListInput,
  routingListsOf,
  touchesRoutingList,
} from './routing-lists.js';

export type Campaign = Selectable<CampaignsTable>;
export type CampaignRef = number | string;

export interface CampaignInput extends GreetingInput, NestedInput, RoutingListInput {
  cid?: string;
  name?: string | null;
  record_calls?: boolean;
  record_seconds?: number;
  dedupe_seconds?: number;
  affiliate_can_pull_number?: boolean;
  repeat?: number;
}

/** A campaign with everything its representation shows. */
export interface CampaignView {
  campaign: Campaign;
  greeting: GreetingView;
  timers: Timer[];
  menuOptions: MenuOption[];
  routing: RoutingList;
}

export const CAMPAIGN_DEFAULTS = {
  record_calls: 1,
  record_seconds: 3600,
  dedupe_seconds: 0,
  affiliate_can_pull_number: 0,
  repeat: 4,
};

/** Campaigns, addressed by the customer's `cid` or our internal id. */
export class CampaignService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {}

  async list(companyId: number, page: number): Promise<Page<CampaignView>> {
    const q = this.db
      .selectFrom('campaigns')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .orderBy('id');
    const result = await fetchPage(q, page);
    return { ...result, rows: await this.views(this.db, result.rows) };
  }

  async get(companyId: number, ref: CampaignRef): Promise<CampaignView> {
    return (await this.views(this.db, [await this.find(companyId, ref)]))[0];
  }

  /** By internal id (number) or cid (string): 404 for unknown or foreign, 410 once deleted. */
  async find(companyId: number, ref: CampaignRef, conn: Conn = this.db): Promise<Campaign> {
    const rows = await conn
      .selectFrom('campaigns')
      .selectAll()
      .where('company_id', '=', companyId)
      .where(typeof ref === 'number' ? 'id' : 'cid', '=', ref)
      .execute();
    const live = rows.find((r) => r.deleted_at === null);
    if (live) return live;
    if (rows.length) throw new Gone('Campaign');
    throw new NotFound('Campaign');
  }

  /** The live campaign a numbers/pools `cid` parameter names; a bad one is a 400 on that field. */
  async byCid(companyId: number, cid: string, conn: Conn): Promise<Campaign> {
    const row = await conn
      .selectFrom('campaigns')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('cid', '=', cid.trim())
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw ValidationFailed.field('cid', 'does not match any campaign: create the campaign first');
    return row;
  }

  async create(companyId: number, input: CampaignInput): Promise<CampaignView> {
    return this.db.transaction().execute(async (tx) => {
      const cid = input.cid !== undefined ? cleanCid(input.cid) : await this.unusedCid(companyId, tx);
      await this.assertCidFree(companyId, cid, tx);
      const greeting = planGreeting(input, { message: null, voice_gender: 'Male', audio_id: null });
      const nestedInput =
        input.timers_attributes === undefined
          ? { ...input, timers_attributes: await defaultTimers(companyId, tx) }
          : input;
      const plan = await planNested(tx, { companyId, ownerLabel: 'campaign', selfCid: cid }, nestedInput, {
        timers: [],
        menuOptions: [],
      });

      const now = this.clock.now();
      const g = await applyGreeting(tx, companyId, greeting, null, now);
      const row = await tx
        .insertInto('campaigns')
        .values({
          ...CAMPAIGN_DEFAULTS,
          ...flags(input),
          company_id: companyId,
          cid,
          name: input.name ?? null,
          show_key: randomHex(this.random, 32),
          greeting_message: g.message,
          greeting_voice_gender: g.voice_gender,
          greeting_audio_id: g.audio_id,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await applyNested(tx, 'campaign', row.id, plan, now);
      if (touchesRoutingList(input)) await applyRoutingList(tx, companyId, 'campaign', row.id, input);
      return (await this.views(tx, [row]))[0];
    });
  }

  async update(companyId: number, ref: CampaignRef, input: CampaignInput): Promise<CampaignView> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.find(companyId, ref, tx);
      const cid = input.cid !== undefined ? cleanCid(input.cid) : current.cid;
      if (cid !== current.cid) await this.assertCidFree(companyId, cid, tx);
      const base = {
        message: current.greeting_message,
        voice_gender: current.greeting_voice_gender,
        audio_id: current.greeting_audio_id,
      };
      const greeting = hasGreetingInput(input) ? planGreeting(input, base) : undefined;
      const existing = (await loadNested(tx, 'campaign', [current.id])).get(current.id)!;
      const plan = await planNested(tx, { companyId, ownerLabel: 'campaign', selfCid: cid }, input, existing);

      const now = this.clock.now();
      const g = greeting
        ? await applyGreeting(tx, companyId, greeting, current.greeting_audio_id, now)
        : base;
      const row = await tx
        .updateTable('campaigns')
        .set({
          ...flags(input),
          ...pick(input, ['name']),
          cid,
          greeting_message: g.message,
          greeting_voice_gender: g.voice_gender,
          greeting_audio_id: g.audio_id,
          updated_at: now,
        })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await applyNested(tx, 'campaign', row.id, plan, now);
      if (touchesRoutingList(input)) await applyRoutingList(tx, companyId, 'campaign', row.id, input);
      if (cid !== current.cid) await renameTargetCid(tx, companyId, current.cid, cid);
      return (await this.views(tx, [row]))[0];
    });
  }

  /** Soft delete; refused while anything still routes calls into the campaign. */
  async remove(companyId: number, ref: CampaignRef): Promise<CampaignView> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.find(companyId, ref, tx);
      const live = (table: 'numbers' | 'number_pools') =>
        tx
          .selectFrom(table)
          .select('id')
          .where('campaign_id', '=', current.id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
      if (await live('numbers')) {
        throw new RuleViolation(
          'Campaign still has Numbers: delete its Numbers before deleting the Campaign',
        );
      }
      if (await live('number_pools')) {
        throw new RuleViolation(
          'Campaign still has Number Pools: delete its Number Pools before deleting the Campaign',
        );
      }
      const targeting = await menuOptionsTargeting(tx, companyId, current.cid, current.id);
      if (targeting.length) {
        const who = [...new Set(targeting.map((t) => `${t.owner_type} ${t.owner_id}`))].join(', ');
        throw new RuleViolation(
          `Campaign is the target_cid of menu options (${who}): change those menu options first`,
        );
      }
      const deletedAt = this.clock.now();
      await tx.updateTable('campaigns').set({ deleted_at: deletedAt }).where('id', '=', current.id).execute();
      return (await this.views(tx, [{ ...current, deleted_at: deletedAt }]))[0];
    });
  }

  /** Greetings, timers and menu options of many campaigns in three queries. */
  async views(conn: Conn, rows: Campaign[]): Promise<CampaignView[]> {
    const nested = await loadNested(
      conn,
      'campaign',
      rows.map((r) => r.id),
    );
    const audio = await loadAudio(
      conn,
      rows.map((r) => r.greeting_audio_id),
    );
    const routing = await routingListsOf(
      conn,
      'campaign',
      rows.map((r) => r.id),
    );
    return rows.map((campaign) => ({
      campaign,
      greeting: greetingView(greetingState(campaign), audio),
      ...nested.get(campaign.id)!,
      routing: routing.get(campaign.id)!,
    }));
  }

  private async assertCidFree(companyId: number, cid: string, conn: Conn): Promise<void> {
    const taken = await conn
      .selectFrom('campaigns')
      .select('id')
      .where('company_id', '=', companyId)
      .where('cid', '=', cid)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (taken) throw ValidationFailed.field('cid', 'has already been taken');
  }

  private async unusedCid(companyId: number, conn: Conn): Promise<string> {
    for (let i = 0; i < 20; i++) {
      const cid = randomString(this.random, 'abcdefghijklmnopqrstuvwxyz0123456789', 8);
      const taken = await conn
        .selectFrom('campaigns')
        .select('id')
        .where('company_id', '=', companyId)
        .where('cid', '=', cid)
        .executeTakeFirst();
      if (!taken) return cid;
    }
    throw new Unavailable('could not draw an unused cid; try again');
  }
}

export function greetingState(
  c: Pick<Campaign, 'greeting_message' | 'greeting_voice_gender' | 'greeting_audio_id'>,
) {
  return {
    message: c.greeting_message,
    voice_gender: c.greeting_voice_gender,
    audio_id: c.greeting_audio_id,
  };
}

function cleanCid(raw: string): string {
  const cid = raw.trim();
  if (!cid) throw ValidationFailed.field('cid', "can't be blank");
  return cid;
}

/** Booleans as stored (0/1) and the integer settings, only those sent. */
function flags(input: CampaignInput) {
  const b = (v: boolean | undefined) => (v === undefined ? undefined : v ? 1 : 0);
  const out = {
    record_calls: b(input.record_calls),
    affiliate_can_pull_number: b(input.affiliate_can_pull_number),
    record_seconds: input.record_seconds,
    dedupe_seconds: input.dedupe_seconds,
    repeat: input.repeat,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Partial<typeof out>;
}

/** The company's default click (0 s) and sale (90 s) pixels, for campaigns created without timers. */
async function defaultTimers(companyId: number, conn: Conn): Promise<TimerInput[]> {
  const c = await conn
    .selectFrom('companies')
    .select(['default_click_url', 'default_sale_url'])
    .where('id', '=', companyId)
    .executeTakeFirst();
  const timers: TimerInput[] = [];
  if (c?.default_click_url) timers.push({ seconds: 0, url: c.default_click_url });
  if (c?.default_sale_url) timers.push({ seconds: 90, url: c.default_sale_url });
  return timers;
}
