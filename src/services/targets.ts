import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import type { CapAttribute } from '../domain/caps.js';
import { type FieldErrors, Gone, NotFound, ValidationFailed } from '../domain/errors.js';
import { INBOUND_NUMBER_TAG } from '../domain/flow.js';
import { normalizePhone } from '../domain/phone.js';
import { parseTagList, type TagValue } from '../domain/tags.js';
import { ianaZone, toZoneName } from '../domain/timezones.js';
import { isHttpUrl } from '../domain/urls.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { TargetsTable } from '../store/schema.js';
import type { LiveCallMode } from '../store/schema-call-control.js';
import { pick } from './affiliates.js';
import {
  type CallsInProgress,
  type CapChanges,
  type CapView,
  capChangesOf,
  capsOf,
  createCaps,
  noLiveCallsYet,
  resetHardCaps,
  updateCaps,
} from './caps.js';
import { replaceTags, type StoredTagValue, tagsOf } from './tag-values.js';
import {
  addError,
  applyHours,
  type BusinessHour,
  type BusinessHourInput,
  checkHourInputs,
  createDefaultHours,
  hoursOf,
} from './target-business-hours.js';

export type Target = Selectable<TargetsTable>;
export type TargetRef = number | string;

/** A target with everything its representation shows. */
export interface TargetView {
  target: Target;
  caps: CapView[];
  businessHours: BusinessHour[];
  tags: StoredTagValue[];
  callsInProgress: number;
}

export interface TargetInput extends Partial<Record<CapAttribute, { cap: number | null }>> {
  name?: string | null;
  number?: string;
  sip_username?: string | null;
  sip_password?: string | null;
  tid?: string | null;
  priority?: number;
  weight?: number;
  timeout_seconds?: number;
  inband_signals?: boolean;
  timer_offset?: number;
  send_digits?: string | null;
  concurrency_cap?: number | null;
  paused?: boolean;
  obfuscate_cid?: boolean;
  live_call_mode?: LiveCallMode | null;
  ping_url?: string | null;
  time_zone?: string;
  tag_list?: string;
  business_hours_attributes?: BusinessHourInput[];
}

/** The input, checked and turned into what gets written. */
interface Plan {
  columns: Partial<Target>;
  paused?: boolean;
  caps: CapChanges;
  tags?: TagValue[];
  hours?: BusinessHourInput[];
}

const DEFAULTS = { priority: 1, weight: 1, timeout_seconds: 30, timer_offset: 0, time_zone: 'UTC' };

/** DTMF digits, `*`, `#`, and `w` for a half-second pause. */
const SEND_DIGITS = /^[0-9*#wW]*$/;

/** Targets: where calls go. Addressed by internal id or by the customer's own `tid`. */
export class TargetService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly callsInProgress: CallsInProgress = noLiveCallsYet,
  ) {}

  async list(companyId: number, page: number): Promise<Page<TargetView>> {
    const q = this.db
      .selectFrom('targets')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .orderBy('id');
    const rows = await fetchPage(q, page);
    return { ...rows, rows: await this.views(this.db, rows.rows) };
  }

  async get(companyId: number, ref: TargetRef): Promise<TargetView> {
    return (await this.views(this.db, [await this.find(companyId, ref, this.db)]))[0];
  }

  /** The live target by id (number) or tid (string); 410 when it was deleted, 404 when never ours. */
  async find(companyId: number, ref: TargetRef, conn: Conn): Promise<Target> {
    const rows = await conn
      .selectFrom('targets')
      .selectAll()
      .where('company_id', '=', companyId)
      .where(typeof ref === 'number' ? 'id' : 'tid', '=', ref)
      .execute();
    const live = rows.find((r) => r.deleted_at === null);
    if (live) return live;
    if (rows.length) throw new Gone('Target');
    throw new NotFound('Target');
  }

  async create(companyId: number, input: TargetInput): Promise<TargetView> {
    const plan = this.plan(input, true);
    checkDynamic(plan.columns.number, plan.columns.ping_url);
    return this.db.transaction().execute(async (tx) => {
      if (plan.columns.tid) await this.assertTidFree(companyId, plan.columns.tid, null, tx);
      const now = this.clock.now();
      const row = await tx
        .insertInto('targets')
        .values({
          ...DEFAULTS,
          name: null,
          sip_username: null,
          sip_password: null,
          tid: null,
          send_digits: null,
          concurrency_cap: null,
          cid_number_id: null,
          obfuscate_cid: 0,
          inband_signals: 0,
          ...plan.columns,
          number: plan.columns.number!,
          company_id: companyId,
          object_key: randomBytes(32).toString('hex'),
          paused: plan.paused ? 1 : 0,
          paused_at: plan.paused ? now : null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await createCaps(tx, { companyId, type: 'target', id: row.id }, plan.caps, now);
      await createDefaultHours(tx, row.id, now);
      if (plan.hours) await applyHours(tx, row.id, plan.hours, now);
      if (plan.tags) await replaceTags(tx, companyId, 'target', row.id, plan.tags);
      return (await this.views(tx, [row]))[0];
    });
  }

  async update(companyId: number, ref: TargetRef, input: TargetInput): Promise<TargetView> {
    const plan = this.plan(input, false);
    return this.db.transaction().execute(async (tx) => {
      const current = await this.find(companyId, ref, tx);
      // Clearing ping_url (null) must count as cleared, so not `??`.
      const pingUrl = 'ping_url' in plan.columns ? plan.columns.ping_url : current.ping_url;
      checkDynamic(plan.columns.number ?? current.number, pingUrl);
      if (plan.columns.tid) await this.assertTidFree(companyId, plan.columns.tid, current.id, tx);
      const now = this.clock.now();
      const pausing =
        plan.paused === undefined
          ? {}
          : {
              paused: plan.paused ? 1 : 0,
              paused_at: plan.paused ? (current.paused ? current.paused_at : now) : null,
            };
      const row = await tx
        .updateTable('targets')
        .set({ ...plan.columns, ...pausing, updated_at: now })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await updateCaps(tx, 'target', row.id, plan.caps, now);
      if (plan.hours) await applyHours(tx, row.id, plan.hours, now);
      if (plan.tags) await replaceTags(tx, companyId, 'target', row.id, plan.tags);
      return (await this.views(tx, [row]))[0];
    });
  }

  /** Soft delete; the target also leaves every target group. Answers the target as it was. */
  async remove(companyId: number, ref: TargetRef): Promise<TargetView> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.find(companyId, ref, tx);
      const view = (await this.views(tx, [current]))[0];
      await tx
        .updateTable('targets')
        .set({ deleted_at: this.clock.now() })
        .where('id', '=', current.id)
        .execute();
      await tx.deleteFrom('target_group_members').where('target_id', '=', current.id).execute();
      return view;
    });
  }

  /** Restarts the hard cap: calls before now no longer count. */
  async resetCap(companyId: number, ref: TargetRef): Promise<TargetView> {
    return this.db.transaction().execute(async (tx) => {
      const current = await this.find(companyId, ref, tx);
      await resetHardCaps(tx, 'target', [current.id], this.clock.now());
      return (await this.views(tx, [current]))[0];
    });
  }

  /** Caps, hours, tags and live calls of a batch of targets (a page costs a handful of queries). */
  async views(conn: Conn, rows: Target[]): Promise<TargetView[]> {
    const ids = rows.map((r) => r.id);
    const now = this.clock.now();
    const [caps, hours, tags, live] = await Promise.all([
      capsOf(
        conn,
        'target',
        rows.map((r) => ({ id: r.id, zone: ianaZone(r.time_zone) })),
        now,
      ),
      hoursOf(conn, ids),
      tagsOf(conn, 'target', ids),
      this.callsInProgress('target', ids),
    ]);
    return rows.map((target) => ({
      target,
      caps: caps.get(target.id) ?? [],
      businessHours: hours.get(target.id) ?? [],
      tags: tags.get(target.id) ?? [],
      callsInProgress: live.get(target.id) ?? 0,
    }));
  }

  /** Every check that needs no database, all errors at once, before anything is written. */
  private plan(input: TargetInput, creating: boolean): Plan {
    const errors: FieldErrors = {};
    const attempt = <T>(fn: () => T): T | undefined => {
      try {
        return fn();
      } catch (err) {
        if (!(err instanceof ValidationFailed)) throw err;
        for (const [f, msgs] of Object.entries(err.errors)) addError(errors, f, ...msgs);
        return undefined;
      }
    };
    const columns: Partial<Target> = pick(input, [
      'name',
      'sip_username',
      'sip_password',
      'priority',
      'weight',
      'timeout_seconds',
      'timer_offset',
      'concurrency_cap',
      'live_call_mode',
    ]);
    if (input.number !== undefined || creating) {
      const raw = input.number?.trim() ?? '';
      if (!raw) errors.number = ["can't be blank"];
      else if (raw === INBOUND_NUMBER_TAG) columns.number = raw;
      else columns.number = attempt(() => normalizePhone('number', raw, { allowSip: true }));
    }
    if (input.ping_url !== undefined) {
      const url = input.ping_url?.trim() || null;
      if (url !== null && !isHttpUrl(url)) errors.ping_url = ['is not a valid http or https URL'];
      columns.ping_url = url;
    }
    if (input.tid !== undefined) columns.tid = input.tid?.trim() || null;
    if (input.send_digits !== undefined) {
      if (input.send_digits !== null && !SEND_DIGITS.test(input.send_digits)) {
        errors.send_digits = ['may only hold digits, *, # and w (a half-second pause)'];
      }
      columns.send_digits = input.send_digits || null;
    }
    if (input.time_zone !== undefined) columns.time_zone = attempt(() => toZoneName(input.time_zone!.trim()));
    for (const f of ['inband_signals', 'obfuscate_cid'] as const) {
      if (input[f] !== undefined) columns[f] = input[f] ? 1 : 0;
    }
    const tags = input.tag_list === undefined ? undefined : attempt(() => parseTagList(input.tag_list!));
    if (input.business_hours_attributes) checkHourInputs(input.business_hours_attributes, errors);
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
    return {
      columns,
      paused: input.paused,
      caps: capChangesOf(input),
      tags,
      hours: input.business_hours_attributes,
    };
  }

  private async assertTidFree(
    companyId: number,
    tid: string,
    selfId: number | null,
    conn: Conn,
  ): Promise<void> {
    const taken = await conn
      .selectFrom('targets')
      .select('id')
      .where('company_id', '=', companyId)
      .where('tid', '=', tid)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (taken && taken.id !== selfId) throw ValidationFailed.field('tid', 'has already been taken');
  }
}

/** `[inbound_number]` is filled by a ping at call time, so such a target needs somewhere to ping. */
function checkDynamic(number: string | undefined, pingUrl: string | null | undefined): void {
  if (number === INBOUND_NUMBER_TAG && !pingUrl)
    throw ValidationFailed.field('number', `may be ${INBOUND_NUMBER_TAG} only with a ping_url`);
}
