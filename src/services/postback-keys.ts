import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { Gone, NotFound, ValidationFailed } from '../domain/errors.js';
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
  reservation_seconds?: number;
  ping_shield?: boolean;
  number_pool_id?: number | null;
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
      const now = this.clock.now();
      const row = await tx
        .insertInto('postback_keys')
        .values({
          company_id: companyId,
          campaign_id: c.id,
          key: randomUUID(),
          name: input.name ?? null,
          required_tags: JSON.stringify(requiredTags(input.required_tags ?? [])),
          reservation_seconds: input.reservation_seconds ?? DEFAULT_RESERVATION_SECONDS,
          ping_shield: input.ping_shield === false ? 0 : 1,
          number_pool_id: input.number_pool_id ?? null,
          created_at: now,
          updated_at: now,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return view(row, c.cid);
    });
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

/** Values remembered for a while of clock time (cached keys, publishers and pools of the RTB). */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  constructor(private readonly ttlMs: number) {}

  get(key: string, now: number): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (now - e.at < this.ttlMs && now >= e.at) return e.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, now: number): void {
    // Bounded: a flood of distinct keys (bad pings) cannot grow it for ever.
    if (this.entries.size >= 10_000) this.entries.clear();
    this.entries.set(key, { value, at: now });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
