import type { Selectable } from 'kysely';
import { type FieldErrors, ValidationFailed } from '../domain/errors.js';
import { normalizePhone } from '../domain/phone.js';
import { isHttpUrl } from '../domain/urls.js';
import type { Conn } from '../store/db.js';
import type { MenuOptionsTable, NestedOwner, TimersTable } from '../store/schema.js';

/**
 * Timers and menu options, nested in campaigns and in the numbers that override them (Rails'
 * accepts_nested_attributes_for): items with an id update that item, items without one are added,
 * `_destroy` removes one, `destroy_nested` removes every existing item the request does not name.
 */
export type Timer = Selectable<TimersTable>;

/** A menu option with the routing list it may carry instead of a target number. */
import { checkRoutingList, type RoutingList, routingListsOf, writeRoutingList } from './routing-lists.js';

export type MenuOption = Selectable<MenuOptionsTable> & { routing: RoutingList };

export const MENU_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'];

export interface TimerInput {
  id?: number;
  seconds?: number;
  url?: string;
  _destroy?: boolean;
}

export interface MenuOptionInput {
  id?: number;
  option?: string;
  target_number?: string | null;
  target_cid?: string | null;
  target_ids?: number[];
  target_group_ids?: number[];
  _destroy?: boolean;
}

export interface NestedInput {
  timers_attributes?: TimerInput[];
  menu_options_attributes?: MenuOptionInput[];
  /** The seed's parameter table spells it this way; both are accepted. */
  menu_option_attributes?: MenuOptionInput[];
  destroy_nested?: boolean;
}

export interface Nested {
  timers: Timer[];
  menuOptions: MenuOption[];
}

type TimerValues = Pick<Timer, 'seconds' | 'url'>;
type MenuValues = Pick<MenuOption, 'option' | 'target_number' | 'target_cid'> & { routing?: RoutingList };

interface ListPlan<V> {
  remove: number[];
  update: { id: number; values: V }[];
  insert: V[];
}

/** What to write; a list left undefined is not touched. */
export interface NestedPlan {
  companyId: number;
  timers?: ListPlan<TimerValues>;
  menuOptions?: ListPlan<MenuValues>;
}

export interface PlanContext {
  companyId: number;
  ownerLabel: NestedOwner;
  /** The owning campaign's own cid, valid as a target before the campaign exists (replay the greeting). */
  selfCid?: string;
}

export function menuInput(input: NestedInput): MenuOptionInput[] | undefined {
  if (input.menu_options_attributes === undefined && input.menu_option_attributes === undefined)
    return undefined;
  return [...(input.menu_options_attributes ?? []), ...(input.menu_option_attributes ?? [])];
}

/** Validates the nested attributes against what exists; throws every problem at once, writes nothing. */
export async function planNested(
  conn: Conn,
  ctx: PlanContext,
  input: NestedInput,
  existing: Nested,
): Promise<NestedPlan> {
  const errors: FieldErrors = {};
  const fail = (field: string, msg: string) => {
    errors[field] = [...(errors[field] ?? []), msg];
  };
  const destroy = input.destroy_nested === true;
  const menus = menuInput(input);
  const menuField =
    input.menu_options_attributes !== undefined ? 'menu_options_attributes' : 'menu_option_attributes';
  const plan: NestedPlan = { companyId: ctx.companyId };
  if (input.timers_attributes !== undefined || destroy) {
    plan.timers = planList(
      existing.timers,
      input.timers_attributes ?? [],
      destroy,
      'timers_attributes',
      ctx,
      fail,
      timerValues,
    );
  }
  if (menus !== undefined || destroy) {
    plan.menuOptions = planList(existing.menuOptions, menus ?? [], destroy, menuField, ctx, fail, menuValues);
    checkUniqueOptions(existing.menuOptions, plan.menuOptions, menuField, fail);
    await checkTargetCids(conn, ctx, plan.menuOptions, menuField, fail);
    for (const v of [...plan.menuOptions.insert, ...plan.menuOptions.update.map((u) => u.values)]) {
      if (v.routing) await checkRoutingList(conn, ctx.companyId, v.routing, errors, `${menuField}.`);
    }
  }
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  return plan;
}

type Fail = (field: string, msg: string) => void;

function planList<R extends { id: number }, I extends { id?: number; _destroy?: boolean }, V>(
  existing: R[],
  items: I[],
  destroy: boolean,
  field: string,
  ctx: PlanContext,
  fail: Fail,
  values: (base: R | undefined, item: I, path: string, fail: Fail) => V | undefined,
): ListPlan<V> {
  const byId = new Map(existing.map((r) => [r.id, r]));
  const named = new Set<number>();
  const plan: ListPlan<V> = { remove: [], update: [], insert: [] };
  for (const [i, item] of items.entries()) {
    const path = `${field}.${i}`;
    if (item.id === undefined || item.id === null) {
      const v = item._destroy ? undefined : values(undefined, item, path, fail);
      if (v) plan.insert.push(v);
      continue;
    }
    const base = byId.get(item.id);
    if (!base) fail(`${path}.id`, `does not belong to this ${ctx.ownerLabel}`);
    else if (named.has(item.id)) fail(`${path}.id`, 'appears more than once');
    else if (item._destroy) plan.remove.push(item.id);
    else {
      const v = values(base, item, path, fail);
      if (v) plan.update.push({ id: item.id, values: v });
    }
    named.add(item.id);
  }
  if (destroy) for (const r of existing) if (!named.has(r.id)) plan.remove.push(r.id);
  return plan;
}

function timerValues(
  base: Timer | undefined,
  item: TimerInput,
  path: string,
  fail: Fail,
): TimerValues | undefined {
  const seconds = item.seconds ?? base?.seconds;
  const url = (item.url ?? base?.url ?? '').trim();
  const problems: [string, string][] = [];
  if (seconds === undefined || seconds === null) problems.push([`${path}.seconds`, "can't be blank"]);
  if (!url) problems.push([`${path}.url`, "can't be blank"]);
  else if (!isHttpUrl(url)) problems.push([`${path}.url`, 'is not a valid http or https URL']);
  for (const [f, m] of problems) fail(f, m);
  return problems.length ? undefined : { seconds: seconds!, url };
}

function menuValues(
  base: MenuOption | undefined,
  item: MenuOptionInput,
  path: string,
  fail: Fail,
): MenuValues | undefined {
  const problems: [string, string][] = [];
  const option = (item.option ?? base?.option ?? '').trim();
  if (!option) problems.push([`${path}.option`, "can't be blank"]);
  else if (!MENU_KEYS.includes(option))
    problems.push([`${path}.option`, 'must be one of 1 2 3 4 5 6 7 8 9 0 * #']);
  const rawNumber = item.target_number === undefined ? base?.target_number : item.target_number;
  let target_number: string | null = null;
  if (rawNumber?.trim()) {
    try {
      target_number = normalizePhone('target_number', rawNumber, { allowSip: true });
    } catch (err) {
      if (!(err instanceof ValidationFailed)) throw err;
      for (const msg of err.errors.target_number ?? []) problems.push([`${path}.target_number`, msg]);
    }
  }
  const rawCid = item.target_cid === undefined ? base?.target_cid : item.target_cid;
  const target_cid = rawCid?.trim() ? rawCid.trim() : null;
  for (const [f, m] of problems) fail(f, m);
  if (problems.length) return undefined;
  const routing =
    item.target_ids !== undefined || item.target_group_ids !== undefined
      ? {
          target_ids: [...new Set(item.target_ids ?? [])],
          target_group_ids: [...new Set(item.target_group_ids ?? [])],
        }
      : undefined;
  return { option, target_number, target_cid, ...(routing ? { routing } : {}) };
}

/** The options the owner ends up with, one key each. */
function checkUniqueOptions(
  existing: MenuOption[],
  plan: ListPlan<MenuValues>,
  field: string,
  fail: Fail,
): void {
  const changed = new Map(plan.update.map((u) => [u.id, u.values.option]));
  const finalKeys = existing
    .filter((m) => !plan.remove.includes(m.id))
    .map((m) => changed.get(m.id) ?? m.option);
  finalKeys.push(...plan.insert.map((v) => v.option));
  const seen = new Set<string>();
  for (const key of finalKeys) {
    if (seen.has(key)) fail(field, `option ${key} is used more than once`);
    seen.add(key);
  }
}

async function checkTargetCids(
  conn: Conn,
  ctx: PlanContext,
  plan: ListPlan<MenuValues>,
  field: string,
  fail: Fail,
) {
  const wanted = new Set([...plan.insert, ...plan.update.map((u) => u.values)].map((v) => v.target_cid));
  wanted.delete(null);
  if (ctx.selfCid !== undefined) wanted.delete(ctx.selfCid);
  if (!wanted.size) return;
  const found = await conn
    .selectFrom('campaigns')
    .select('cid')
    .where('company_id', '=', ctx.companyId)
    .where('cid', 'in', [...wanted] as string[])
    .where('deleted_at', 'is', null)
    .execute();
  const known = new Set(found.map((r) => r.cid));
  for (const cid of wanted)
    if (!known.has(cid!)) fail(field, `target_cid ${cid} is not a campaign of this company`);
}

/** Writes a plan made by planNested. */
export async function applyNested(
  conn: Conn,
  owner: NestedOwner,
  ownerId: number,
  plan: NestedPlan,
  now: number,
) {
  const lists = [
    ['timers', plan.timers],
    ['menu_options', plan.menuOptions],
  ] as const;
  for (const [table, list] of lists) {
    if (!list) continue;
    if (list.remove.length) await conn.deleteFrom(table).where('id', 'in', list.remove).execute();
    if (table === 'menu_options' && list.remove.length) {
      await conn
        .deleteFrom('routing_entries')
        .where('owner_type', '=', 'menu_option')
        .where('owner_id', 'in', list.remove)
        .execute();
    }
    for (const u of list.update) {
      const { routing, ...values } = u.values as MenuValues;
      await conn.updateTable(table).set(values).where('id', '=', u.id).execute();
      if (routing) await writeRoutingList(conn, plan.companyId, 'menu_option', u.id, routing);
    }
    for (const v of list.insert) {
      const { routing, ...values } = v as MenuValues;
      const row = await conn
        .insertInto(table)
        .values({ ...values, owner_type: owner, owner_id: ownerId, created_at: now } as any)
        .returning('id')
        .executeTakeFirstOrThrow();
      if (routing) await writeRoutingList(conn, plan.companyId, 'menu_option', row.id, routing);
    }
  }
}

export async function deleteNested(
  conn: Conn,
  owner: NestedOwner,
  ownerId: number,
  which: 'timers' | 'menu_options',
) {
  await conn.deleteFrom(which).where('owner_type', '=', owner).where('owner_id', '=', ownerId).execute();
}

/** Timers and menu options of many owners, in creation order. */
export async function loadNested(
  conn: Conn,
  owner: NestedOwner,
  ids: number[],
): Promise<Map<number, Nested>> {
  const map = new Map<number, Nested>(ids.map((id) => [id, { timers: [], menuOptions: [] }]));
  if (!ids.length) return map;
  const [timers, menus] = await Promise.all([
    conn
      .selectFrom('timers')
      .selectAll()
      .where('owner_type', '=', owner)
      .where('owner_id', 'in', ids)
      .orderBy('id')
      .execute(),
    conn
      .selectFrom('menu_options')
      .selectAll()
      .where('owner_type', '=', owner)
      .where('owner_id', 'in', ids)
      .orderBy('id')
      .execute(),
  ]);
  const routing = await routingListsOf(
    conn,
    'menu_option',
    menus.map((m) => m.id),
  );
  for (const t of timers) map.get(t.owner_id)?.timers.push(t);
  for (const m of menus) map.get(m.owner_id)?.menuOptions.push({ ...m, routing: routing.get(m.id)! });
  return map;
}

/** Menu options of the company's campaigns and numbers that send callers to `cid`. */
function targeting(conn: Conn, companyId: number, cid: string) {
  const owners = (table: 'campaigns' | 'numbers') =>
    conn.selectFrom(table).select('id').where('company_id', '=', companyId).where('deleted_at', 'is', null);
  return conn
    .selectFrom('menu_options')
    .where('target_cid', '=', cid)
    .where((eb) =>
      eb.or([
        eb.and([eb('owner_type', '=', 'campaign'), eb('owner_id', 'in', owners('campaigns'))]),
        eb.and([eb('owner_type', '=', 'number'), eb('owner_id', 'in', owners('numbers'))]),
      ]),
    );
}

/** Other owners' menu options pointing at `cid` (a campaign's own "replay greeting" option is no obstacle). */
export async function menuOptionsTargeting(conn: Conn, companyId: number, cid: string, selfId: number) {
  return targeting(conn, companyId, cid)
    .select(['owner_type', 'owner_id'])
    .where((eb) => eb.not(eb.and([eb('owner_type', '=', 'campaign'), eb('owner_id', '=', selfId)])))
    .execute();
}

/** A campaign changed its cid: menu options that sent callers to it follow. */
export async function renameTargetCid(
  conn: Conn,
  companyId: number,
  from: string,
  to: string,
): Promise<void> {
  const ids = (await targeting(conn, companyId, from).select('menu_options.id').execute()).map((r) => r.id);
  if (ids.length)
    await conn.updateTable('menu_options').set({ target_cid: to }).where('id', 'in', ids).execute();
}
