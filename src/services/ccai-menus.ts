import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import {
  checkHours,
  checkLanguages,
  MENU_TYPES,
  type MenuHours,
  type MenuType,
} from '../domain/ccai-menus.js';
import { type FieldErrors, NotFound, ValidationFailed } from '../domain/errors.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { CcaiMenusTable, OfferType } from '../store/schema-ccai.js';

type MenuRow = Selectable<CcaiMenusTable>;

/** A menu as the face shows it: stored JSON parsed, its place in the tree resolved. */
export interface Menu extends Omit<MenuRow, 'languages' | 'agent_ids' | 'hours'> {
  languages: string[];
  agent_ids: number[];
  hours: MenuHours | null;
  /** Ids from the root to this menu. */
  path: number[];
  /** Names along the same path. */
  pathNames: string[];
}

export interface MenuInput {
  name?: string;
  menu_type?: string;
  parent_id?: number | null;
  position?: number;
  output_msg?: string | null;
  hidden?: boolean;
  languages?: string[];
  agent_ids?: number[];
  offer_type?: OfferType;
  manual_redirection?: boolean;
  hours?: MenuHours | null;
}

/** How deep a menu tree may go: also bounds the walk up to the root. */
const MAX_DEPTH = 20;

/** The contact center's menus (IVR, mobile, web), a tree; each leaf's queue is its ordered agents. */
export class CcaiMenuService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(companyId: number, page: number, perPage: number): Promise<Page<Menu>> {
    const q = this.db
      .selectFrom('ccai_menus')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .orderBy('id');
    const rows = await fetchPage(q, page, perPage);
    return { ...rows, rows: await Promise.all(rows.rows.map((r) => this.withPath(r))) };
  }

  /** A menu of the company, deleted ones included (a call still names its menu). */
  async get(companyId: number, id: number, conn: Conn = this.db): Promise<Menu> {
    const row = await this.row(companyId, id, conn);
    if (!row) throw new NotFound('Menu');
    return this.withPath(row, conn);
  }

  /** A live menu, or undefined. */
  async live(companyId: number, id: number): Promise<Menu | undefined> {
    const row = await this.row(companyId, id, this.db);
    return row && row.deleted_at === null ? this.withPath(row) : undefined;
  }

  async create(companyId: number, input: MenuInput): Promise<Menu> {
    const v = checked(input, true);
    const now = this.clock.now();
    return this.db.transaction().execute(async (tx) => {
      await this.assertRefs(companyId, undefined, v, tx);
      const row = await tx
        .insertInto('ccai_menus')
        .values({
          company_id: companyId,
          name: v.name!,
          menu_type: v.menu_type!,
          parent_id: v.parent_id ?? null,
          position: v.position ?? 0,
          output_msg: v.output_msg ?? null,
          hidden: v.hidden ?? 0,
          languages: v.languages ?? '["en"]',
          agent_ids: v.agent_ids ?? '[]',
          offer_type: v.offer_type ?? 'cascade',
          manual_redirection: v.manual_redirection ?? 0,
          hours: v.hours ?? null,
          created_at: now,
          updated_at: now,
          deleted_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return this.withPath(row, tx);
    });
  }

  async update(companyId: number, id: number, input: MenuInput): Promise<Menu> {
    const v = checked(input, false);
    return this.db.transaction().execute(async (tx) => {
      const current = await this.liveRow(companyId, id, tx);
      await this.assertRefs(companyId, current.id, v, tx);
      const row = await tx
        .updateTable('ccai_menus')
        .set({ ...v, updated_at: this.clock.now() })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return this.withPath(row, tx);
    });
  }

  /** Soft delete: the menu takes no new calls; calls that went through it still show it, `deleted`. */
  async remove(companyId: number, id: number): Promise<Menu> {
    const current = await this.liveRow(companyId, id, this.db);
    const now = this.clock.now();
    await this.db.updateTable('ccai_menus').set({ deleted_at: now }).where('id', '=', current.id).execute();
    return this.withPath({ ...current, deleted_at: now });
  }

  private row(companyId: number, id: number, conn: Conn) {
    return conn
      .selectFrom('ccai_menus')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  private async liveRow(companyId: number, id: number, conn: Conn): Promise<MenuRow> {
    const row = await this.row(companyId, id, conn);
    if (!row || row.deleted_at !== null) throw new NotFound('Menu');
    return row;
  }

  private async withPath(row: MenuRow, conn: Conn = this.db): Promise<Menu> {
    const path = [row.id];
    const pathNames = [row.name];
    let parent = row.parent_id;
    while (parent !== null && path.length < MAX_DEPTH) {
      const up = await conn
        .selectFrom('ccai_menus')
        .select(['id', 'name', 'parent_id'])
        .where('id', '=', parent)
        .executeTakeFirst();
      if (!up) break;
      path.unshift(up.id);
      pathNames.unshift(up.name);
      parent = up.parent_id;
    }
    return {
      ...row,
      languages: JSON.parse(row.languages),
      agent_ids: JSON.parse(row.agent_ids),
      hours: row.hours ? JSON.parse(row.hours) : null,
      path,
      pathNames,
    };
  }

  /** The parent is a live menu of the company and no descendant of this one; agents are its people. */
  private async assertRefs(companyId: number, selfId: number | undefined, v: Checked, conn: Conn) {
    if (v.parent_id != null) {
      const parent = await this.row(companyId, v.parent_id, conn);
      if (!parent || parent.deleted_at !== null)
        throw ValidationFailed.field('parent_id', 'is not a live menu of this company');
      if (selfId !== undefined) {
        const { path } = await this.withPath(parent, conn);
        if (path.includes(selfId))
          throw ValidationFailed.field('parent_id', 'would make the menu its own ancestor');
        if (path.length >= MAX_DEPTH)
          throw ValidationFailed.field('parent_id', `is too deep (at most ${MAX_DEPTH} levels)`);
      }
    }
    if (v.agent_ids !== undefined) {
      const ids: number[] = JSON.parse(v.agent_ids);
      if (!ids.length) return;
      const found = await conn
        .selectFrom('people')
        .select('id')
        .where('company_id', '=', companyId)
        .where('deleted_at', 'is', null)
        .where('id', 'in', ids)
        .execute();
      const known = new Set(found.map((r) => r.id));
      const unknown = ids.filter((id) => !known.has(id));
      if (unknown.length)
        throw ValidationFailed.field('agent_ids', `are not users of this company: ${unknown.join(', ')}`);
    }
  }
}

type Checked = Partial<Omit<MenuRow, 'id' | 'company_id' | 'created_at' | 'updated_at' | 'deleted_at'>>;

/** Every check that needs no database, all errors at once. */
function checked(input: MenuInput, creating: boolean): Checked {
  const errors: FieldErrors = {};
  const out: Checked = {};
  if (input.name !== undefined || creating) {
    const name = (input.name ?? '').trim();
    if (!name) errors.name = ["can't be blank"];
    else out.name = name;
  }
  if (input.menu_type !== undefined || creating) {
    if (!MENU_TYPES.includes(input.menu_type as MenuType))
      errors.menu_type = [`must be one of ${MENU_TYPES.join(', ')}`];
    else out.menu_type = input.menu_type as MenuType;
  }
  if (input.parent_id !== undefined) out.parent_id = input.parent_id;
  if (input.position !== undefined) out.position = input.position;
  if (input.output_msg !== undefined) out.output_msg = input.output_msg?.trim() || null;
  if (input.hidden !== undefined) out.hidden = input.hidden ? 1 : 0;
  if (input.manual_redirection !== undefined) out.manual_redirection = input.manual_redirection ? 1 : 0;
  if (input.offer_type !== undefined) out.offer_type = input.offer_type;
  if (input.agent_ids !== undefined) {
    const ids = [...new Set(input.agent_ids)];
    out.agent_ids = JSON.stringify(ids);
  }
  try {
    if (input.languages !== undefined) out.languages = JSON.stringify(checkLanguages(input.languages));
    if (input.hours !== undefined)
      out.hours = input.hours === null ? null : JSON.stringify(checkHours(input.hours));
  } catch (err) {
    if (!(err instanceof ValidationFailed)) throw err;
    Object.assign(errors, err.errors);
  }
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  return out;
}
