import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { Gone, NotFound, ValidationFailed } from '../domain/errors.js';
import { toE164 } from '../domain/phone.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { PostbackKeysTable } from '../store/schema-rtb.js';
import type { CampaignRef, CampaignService } from './campaigns.js';

export type PostbackKeyRow = Selectable<PostbackKeysTable>;

/** A key as the API shows it: the row with its campaign's cid and parsed tags. */
export interface PostbackKeyView extends Omit<PostbackKeyRow, 'required_tags'> {
  cid: string;
  required_tags: string[];
}

export interface PostbackKeyInput {
  name?: string | null;
  required_tags?: string[];
  /** Retreaver's `ttl_seconds` is the same setting. */
  reservation_seconds?: number;
  ping_shield?: boolean;
  number_pool_id?: number | null;
  action?: string;
  tag_prefix?: string | null;
  /** Seconds (fractions allowed). */
  timeout?: number;
  inbound_number?: string | null;
  return_dba?: boolean;
  add_to_caps_on_status_reserved?: boolean;
  route_only_to_reserved_target?: boolean;
  allow_no_caller_number?: boolean;
  paused?: boolean;
  claim_percent_threshold?: number;
  blocked_inbound_percent?: number;
  ping_shield_outbound_count_limit?: number | null;
  ping_shield_outbound_ms_limit?: number | null;
}

const FLAGS = [
  'return_dba',
  'add_to_caps_on_status_reserved',
  'route_only_to_reserved_target',
  'allow_no_caller_number',
  'paused',
] as const;

/** The columns an input sets (undefined fields are left alone on update, defaulted on create). */
function optionColumns(input: PostbackKeyInput, inboundNumber: string | null | undefined) {
  const cols: Partial<Record<string, string | number | null>> = {};
  const set = (k: string, v: string | number | null | undefined) => {
    if (v !== undefined) cols[k] = v;
  };
  set('name', input.name);
  if (input.required_tags !== undefined)
    cols.required_tags = JSON.stringify(requiredTags(input.required_tags));
  set('reservation_seconds', input.reservation_seconds);
  if (input.ping_shield !== undefined) cols.ping_shield = input.ping_shield ? 1 : 0;
  set('number_pool_id', input.number_pool_id);
  set('action', input.action);
  set('tag_prefix', input.tag_prefix === '' ? null : input.tag_prefix);
  if (input.timeout !== undefined) cols.timeout_ms = Math.round(input.timeout * 1000);
  set('inbound_number', inboundNumber);
  for (const f of FLAGS) if (input[f] !== undefined) cols[f] = input[f] ? 1 : 0;
  set('claim_percent_threshold', input.claim_percent_threshold);
  set('blocked_inbound_percent', input.blocked_inbound_percent);
  set('ping_shield_outbound_count_limit', input.ping_shield_outbound_count_limit);
  set('ping_shield_outbound_ms_limit', input.ping_shield_outbound_ms_limit);
  return cols;
}

export const DEFAULT_RESERVATION_SECONDS = 120;

/** Tag names must survive as query parameters and `[tag]` macros: letters, digits, `_`, `-`, `.`. */
const TAG_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * A campaign's postback keys: what publishers ping the RTB and call reservation endpoints with.
 * Revoking is soft (the key answers 410 afterwards and pings with it are refused).
 */
export class PostbackKeyService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly campaigns: CampaignService,
    /** Told of every revoked key, so cached copies are dropped at once. */
    private readonly onRevoke: (key: string) => void = () => {},
  ) {}

  async list(companyId: number, campaign: CampaignRef, page: number): Promise<Page<PostbackKeyView>> {
    const c = await this.campaigns.find(companyId, campaign);
    const q = this.db
      .selectFrom('postback_keys')
      .selectAll()
      .where('campaign_id', '=', c.id)
      .where('revoked_at', 'is', null)
      .orderBy('id');
    const result = await fetchPage(q, page);
    return { ...result, rows: result.rows.map((r) => view(r, c.cid)) };
  }

  async get(companyId: number, campaign: CampaignRef, id: number): Promise<PostbackKeyView> {
    const c = await this.campaigns.find(companyId, campaign);
    return view(await this.find(c.id, id, this.db), c.cid);
  }

  async create(companyId: number, campaign: CampaignRef, input: PostbackKeyInput): Promise<PostbackKeyView> {
    return this.db.transaction().execute(async (tx) => {
      const c = await this.campaigns.find(companyId, campaign, tx);
      await this.checkPool(companyId, c.id, input.number_pool_id, tx);
      const inbound = await this.checkInbound(companyId, c.id, input.inbound_number, tx);
      const now = this.clock.now();
      const row = await tx
        .insertInto('postback_keys')
        .values({
          company_id: companyId,
          campaign_id: c.id,
          key: randomUUID(),
          name: null,
          required_tags: '[]',
          reservation_seconds: DEFAULT_RESERVATION_SECONDS,
          ping_shield: 1,
          number_pool_id: null,
          ...optionColumns(input, inbound),
          created_at: now,
          updated_at: now,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return view(row, c.cid);
    });
  }

  /** Changes the fields given; the key itself never changes. */
  async update(
    companyId: number,
    campaign: CampaignRef,
    id: number,
    input: PostbackKeyInput,
  ): Promise<PostbackKeyView> {
    const row = await this.db.transaction().execute(async (tx) => {
      const c = await this.campaigns.find(companyId, campaign, tx);
      const current = await this.find(c.id, id, tx);
      await this.checkPool(companyId, c.id, input.number_pool_id, tx);
      const inbound = await this.checkInbound(companyId, c.id, input.inbound_number, tx);
      const updated = await tx
        .updateTable('postback_keys')
        .set({ ...optionColumns(input, inbound), updated_at: this.clock.now() })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return view(updated, c.cid);
    });
    this.onRevoke(row.key); // cached copies must see the new options at once
    return row;
  }

  /** A key's static `inbound_number` must be a live number of its campaign; "" or null clears it. */
  private async checkInbound(
    companyId: number,
    campaignId: number,
    raw: string | null | undefined,
    conn: Conn,
  ): Promise<string | null | undefined> {
    if (raw === undefined) return undefined;
    if (raw === null || raw.trim() === '') return null;
    const number = toE164(raw);
    const row = number
      ? await conn
          .selectFrom('numbers')
          .select('number')
          .where('number', '=', number)
          .where('company_id', '=', companyId)
          .where('campaign_id', '=', campaignId)
          .where('deleted_at', 'is', null)
          .executeTakeFirst()
      : undefined;
    if (!row) throw ValidationFailed.field('inbound_number', 'is not a number of this campaign');
    return row.number;
  }

  /** Revokes the key; answers it as it was revoked. */
  async revoke(companyId: number, campaign: CampaignRef, id: number): Promise<PostbackKeyView> {
    return this.db.transaction().execute(async (tx) => {
      const c = await this.campaigns.find(companyId, campaign, tx);
      const current = await this.find(c.id, id, tx);
      const now = this.clock.now();
      await tx.updateTable('postback_keys').set({ revoked_at: now }).where('id', '=', current.id).execute();
      this.onRevoke(current.key);
      return view({ ...current, revoked_at: now }, c.cid);
    });
  }

  private async find(campaignId: number, id: number, conn: Conn): Promise<PostbackKeyRow> {
    const row = await conn
      .selectFrom('postback_keys')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFound('Postback key');
    if (row.revoked_at !== null) throw new Gone('Postback key');
    return row;
  }

  /** A key may name one of its campaign's live pools. */
  private async checkPool(
    companyId: number,
    campaignId: number,
    poolId: number | null | undefined,
    conn: Conn,
  ) {
    if (poolId === undefined || poolId === null) return;
    const pool = await conn
      .selectFrom('number_pools')
      .select('id')
      .where('id', '=', poolId)
      .where('company_id', '=', companyId)
      .where('campaign_id', '=', campaignId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!pool) throw ValidationFailed.field('number_pool_id', 'must be a live number pool of this campaign');
  }
}

function requiredTags(names: string[]): string[] {
  const bad = names.filter((n) => !TAG_NAME.test(n));
  if (bad.length)
    throw ValidationFailed.field(
      'required_tags',
      `has invalid tag names: ${bad.join(', ')} (use A-Z a-z 0-9 _ - .)`,
    );
  return [...new Set(names)];
}

export function view(row: PostbackKeyRow, cid: string): PostbackKeyView {
  return { ...row, cid, required_tags: JSON.parse(row.required_tags) as string[] };
}
