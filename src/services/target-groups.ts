import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import type { CapAttribute } from '../domain/caps.js';
import { type FieldErrors, Gone, NotFound, ValidationFailed } from '../domain/errors.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { TargetGroupsTable } from '../store/schema.js';
import { pick } from './affiliates.js';
import {
  type CallsInProgress,
  type CapView,
  capChangesOf,
  capsOf,
  createCaps,
  noLiveCallsYet,
  resetHardCaps,
  updateCaps,
} from './caps.js';

export type TargetGroup = Selectable<TargetGroupsTable>;

export interface TargetGroupView {
  group: TargetGroup;
  targetIds: number[];
  caps: CapView[];
  callsInProgress: number;
}

export interface TargetGroupInput extends Partial<Record<CapAttribute, { cap: number | null }>> {
  name?: string;
  behavior?: number;
  priority?: number | null;
  weight?: number | null;
  concurrency_cap?: number | null;
  /** Replaces the members. */
  target_ids?: number[];
  add_targets_by_id?: number[];
  remove_targets_by_id?: number[];
}

/** 1 dials the members one after another; 2 dials them all at once (simuldial). */
const BEHAVIORS = [1, 2];

/** Groups have no time zone of their own; their periodic caps run on UTC. */
const GROUP_ZONE = 'Etc/UTC';

export class TargetGroupService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly callsInProgress: CallsInProgress = noLiveCallsYet,
  ) {}

  async list(companyId: number, page: number): Promise<Page<TargetGroupView>> {
    const q = this.db
      .selectFrom('target_groups')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .orderBy('id');
    const rows = await fetchPage(q, page);
    return { ...rows, rows: await this.views(this.db, rows.rows) };
  }

  async get(companyId: number, id: number): Promise<TargetGroupView> {
    return (await this.views(this.db, [await this.find(companyId, id, this.db)]))[0];
  }

  async find(companyId: number, id: number, conn: Conn): Promise<TargetGroup> {
    const row = await conn
      .selectFrom('target_groups')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFound('Target group');
    if (row.deleted_at !== null) throw new Gone('Target group');
    return row;
  }

  async create(companyId: number, input: TargetGroupInput): Promise<TargetGroupView> {
    const columns = this.check(input, null);
    return this.db.transaction().execute(async (tx) => {
      const members = await this.nextMembers(companyId, [], input, tx);
      const now = this.clock.now();
      const row = await tx
        .insertInto('target_groups')
        .values({
          behavior: 1,
          priority: null,
          weight: null,
          concurrency_cap: null,
          ...columns,
          name: columns.name!,
          company_id: companyId,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await createCaps(tx, { companyId, type: 'target_group', id: row.id }, capChangesOf(input), now);
      await this.writeMembers(tx, row.id, members);
      return (await this.views(tx, [row]))[0];
    });
  }

  async update(companyId: number, id: number, input: TargetGroupInput): Promise<TargetGroupView> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.find(companyId, id, tx);
      const columns = this.check(input, current);
      const before = (await this.membersOf(tx, [id])).get(id) ?? [];
      const members = await this.nextMembers(companyId, before, input, tx);
      const now = this.clock.now();
      const row = await tx
        .updateTable('target_groups')
        .set({ ...columns, updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await updateCaps(tx, 'target_group', id, capChangesOf(input), now);
      if (members.join() !== before.join()) await this.writeMembers(tx, id, members);
      return (await this.views(tx, [row]))[0];
    });
  }

  /** Soft delete; the members stay targets, they just are no longer grouped. */
  async remove(companyId: number, id: number): Promise<TargetGroupView> {
    return this.db.transaction().execute(async (tx) => {
      const view = (await this.views(tx, [await this.find(companyId, id, tx)]))[0];
      await tx
        .updateTable('target_groups')
        .set({ deleted_at: this.clock.now() })
        .where('id', '=', id)
        .execute();
      await tx.deleteFrom('target_group_members').where('target_group_id', '=', id).execute();
      return view;
    });
  }

  /** Restarts the hard cap of the group and of every target in it (the seed's "reset all hard caps"). */
  async resetCap(companyId: number, id: number): Promise<TargetGroupView> {
    return this.db.transaction().execute(async (tx) => {
      const group = await this.find(companyId, id, tx);
      const now = this.clock.now();
      await resetHardCaps(tx, 'target_group', [id], now);
      await resetHardCaps(tx, 'target', (await this.membersOf(tx, [id])).get(id) ?? [], now);
      return (await this.views(tx, [group]))[0];
    });
  }

  async views(conn: Conn, rows: TargetGroup[]): Promise<TargetGroupView[]> {
    const ids = rows.map((r) => r.id);
    const now = this.clock.now();
    const [members, caps, live] = await Promise.all([
      this.membersOf(conn, ids),
      capsOf(
        conn,
        'target_group',
        ids.map((id) => ({ id, zone: GROUP_ZONE })),
        now,
      ),
      this.callsInProgress('target_group', ids),
    ]);
    return rows.map((group) => ({
      group,
      targetIds: members.get(group.id) ?? [],
      caps: caps.get(group.id) ?? [],
      callsInProgress: live.get(group.id) ?? 0,
    }));
  }

  /** Member target ids of each group, in the order they joined. */
  async membersOf(conn: Conn, groupIds: number[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    if (groupIds.length === 0) return out;
    const rows = await conn
      .selectFrom('target_group_members')
      .select(['target_group_id', 'target_id'])
      .where('target_group_id', 'in', groupIds)
      .orderBy('target_group_id')
      .orderBy('position')
      .execute();
    for (const r of rows) out.set(r.target_group_id, [...(out.get(r.target_group_id) ?? []), r.target_id]);
    return out;
  }

  /** Checks the scalar fields against the group they will be merged into (priority/weight for simuldial). */
  private check(input: TargetGroupInput, current: TargetGroup | null): Partial<TargetGroup> {
    const errors: FieldErrors = {};
    const columns: Partial<TargetGroup> = pick(input, ['behavior', 'priority', 'weight', 'concurrency_cap']);
    if (input.name !== undefined || !current) {
      const name = input.name?.trim();
      if (!name) errors.name = ["can't be blank"];
      else columns.name = name;
    }
    const behavior = input.behavior ?? current?.behavior ?? 1;
    if (!BEHAVIORS.includes(behavior)) errors.behavior = ['must be 1 (dial separately) or 2 (simuldial)'];
    if (behavior === 2) {
      for (const f of ['priority', 'weight'] as const) {
        const value = input[f] !== undefined ? input[f] : (current?.[f] ?? null);
        if (value === null) errors[f] = ["can't be blank when behavior is 2 (simuldial)"];
      }
    }
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
    return columns;
  }

  /**
   * The member list after this request: `target_ids` replaces, then `add_targets_by_id` appends, then
   * `remove_targets_by_id` removes. Ids to add must be live targets of this company.
   */
  private async nextMembers(
    companyId: number,
    before: number[],
    input: TargetGroupInput,
    conn: Conn,
  ): Promise<number[]> {
    const errors: FieldErrors = {};
    for (const field of ['target_ids', 'add_targets_by_id'] as const) {
      const ids = input[field] ?? [];
      const unknown = await this.unknownTargets(companyId, ids, conn);
      if (unknown.length)
        errors[field] = [`contains ids that are not targets of this company: ${unknown.join(', ')}`];
    }
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
    const removed = new Set(input.remove_targets_by_id ?? []);
    const next = [...(input.target_ids ?? before), ...(input.add_targets_by_id ?? [])];
    return [...new Set(next)].filter((id) => !removed.has(id));
  }

  private async unknownTargets(companyId: number, ids: number[], conn: Conn): Promise<number[]> {
    if (ids.length === 0) return [];
    const found = await conn
      .selectFrom('targets')
      .select('id')
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .where('id', 'in', ids)
      .execute();
    const ok = new Set(found.map((r) => r.id));
    return [...new Set(ids)].filter((id) => !ok.has(id));
  }

  private async writeMembers(conn: Conn, groupId: number, targetIds: number[]): Promise<void> {
    await conn.deleteFrom('target_group_members').where('target_group_id', '=', groupId).execute();
    if (targetIds.length === 0) return;
    await conn
      .insertInto('target_group_members')
      .values(targetIds.map((target_id, position) => ({ target_group_id: groupId, target_id, position })))
      .execute();
  }
}
