import type { Clock } from '../clock.js';
import { NotFound, ValidationFailed } from '../domain/errors.js';
import { SYSTEM_TAG_KEYS } from '../domain/report-query.js';
import type { Db } from '../store/db.js';
import { markChanged } from '../store/report-rollups.js';
import {
  deleteTag,
  findTag,
  findTagByKey,
  insertTag,
  listTags,
  markReindexed,
  type TagRow,
} from '../store/report-tags.js';
import { takenOnRace } from './caller-numbers.js';

export type Tag = TagRow;

const HOUR_MS = 3_600_000;
/** -1 in the change log: every day of the company is summed again (tag sets changed for past calls). */
const ALL_DAYS = -1;
// A key as tag lists can carry it (`<<<key:value>>>`): no colon or angle brackets, no control characters.
const KEY = /^[^:<>]{1,255}$/;
const hasControl = (s: string) => [...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);

/**
 * The Tags resource: the tag keys a company's reports index (seed 001, "Not all tag values are
 * indexed"). Creating a tag indexes calls from that moment; re-indexing covers every past call. Each
 * change logs the days it affects, so the report rollups are summed again (src/services/report-rollups.ts).
 */
export class TagService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  list(companyId: number, page: number) {
    return listTags(this.db, companyId, page);
  }

  async get(companyId: number, id: number): Promise<Tag> {
    const tag = await findTag(this.db, companyId, id);
    if (!tag) throw new NotFound('Tag');
    return tag;
  }

  async create(companyId: number, input: { key?: unknown }): Promise<Tag> {
    const key = validKey(input.key);
    if (await findTagByKey(this.db, companyId, key))
      throw ValidationFailed.field('key', 'has already been taken');
    const now = this.clock.now();
    return this.db
      .transaction()
      .execute(async (tx) => {
        const tag = await insertTag(tx, companyId, key, now);
        // Calls of today made from now on carry the tag: today's rollup is summed again.
        await markChanged(tx, companyId, Math.floor(now / HOUR_MS));
        return tag;
      })
      .catch(takenOnRace('key'));
  }

  /** Indexes the tag on every past call of the company (the seed's "re-index past calls"). */
  async reindex(companyId: number, id: number): Promise<Tag> {
    const tag = await this.get(companyId, id);
    await this.db.transaction().execute(async (tx) => {
      await markReindexed(tx, tag.id, this.clock.now());
      await markChanged(tx, companyId, ALL_DAYS);
    });
    return this.get(companyId, id);
  }

  /** Stops reporting the key; answers the tag as it was. */
  async delete(companyId: number, id: number): Promise<Tag> {
    const tag = await this.get(companyId, id);
    await this.db.transaction().execute(async (tx) => {
      await deleteTag(tx, tag.id);
      // A key created again later must not show what was indexed before.
      await markChanged(tx, companyId, ALL_DAYS);
    });
    return tag;
  }
}

function validKey(raw: unknown): string {
  if (raw === undefined || raw === null || String(raw).trim() === '')
    throw ValidationFailed.field('key', "can't be blank");
  if (typeof raw !== 'string') throw ValidationFailed.field('key', 'must be a string');
  const key = raw.trim();
  if (!KEY.test(key) || hasControl(key))
    throw ValidationFailed.field(
      'key',
      'must be 1 to 255 characters without ":", "<", ">" or control characters',
    );
  if (SYSTEM_TAG_KEYS.includes(key))
    throw ValidationFailed.field('key', 'is a system tag, always reported (no need to create it)');
  return key;
}
