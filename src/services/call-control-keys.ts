import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { CALL_CONTROL_ACTIONS, type CallControlAction, type KeyScope } from '../domain/call-control.js';
import { type FieldErrors, NotFound, ValidationFailed } from '../domain/errors.js';
import type { Conn, Db } from '../store/db.js';
import { fetchPage, type Page } from '../store/paging.js';
import type { CallControlKeysTable } from '../store/schema-call-control.js';
import { generateApiKey, hashApiKey } from './accounts.js';

export type CallControlKeyRow = Selectable<CallControlKeysTable>;

/** A key as its representation shows it (the plain key only exists in the create answer). */
export interface CallControlKey extends Omit<CallControlKeyRow, 'actions' | 'key_hash'> {
  actions: CallControlAction[];
}

export interface CallControlKeyInput {
  name?: string | null;
  target_id?: number | null;
  target_group_id?: number | null;
  actions?: string[];
  return_timeout_seconds?: number;
}

export const DEFAULT_RETURN_TIMEOUT_SECONDS = 30;
const MAX_RETURN_TIMEOUT_SECONDS = 86_400;
const PREFIX_LENGTH = 8;

/**
 * Call Control API keys: revocable, scoped to one target or target group and a set of actions. Keys are
 * stored hashed; a request's scope is read from the database every time, so revocation and group
 * membership changes apply to the very next request.
 */
export class CallControlKeyService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(companyId: number, page: number): Promise<Page<CallControlKey>> {
    const q = this.db
      .selectFrom('call_control_keys')
      .selectAll()
      .where('company_id', '=', companyId)
      .orderBy('id');
    const rows = await fetchPage(q, page);
    return { ...rows, rows: rows.rows.map(toKey) };
  }

  async get(companyId: number, id: number, conn: Conn = this.db): Promise<CallControlKey> {
    const row = await conn
      .selectFrom('call_control_keys')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFound('Call control key');
    return toKey(row);
  }

  /** Creates a key; the plain key is returned here and never again. */
  async create(
    companyId: number,
    input: CallControlKeyInput,
  ): Promise<{ key: CallControlKey; plain: string }> {
    const checked = checkInput(input);
    const plain = generateApiKey();
    const row = await this.db.transaction().execute(async (tx) => {
      await this.assertOwnerLive(companyId, checked, tx);
      return tx
        .insertInto('call_control_keys')
        .values({
          company_id: companyId,
          name: input.name?.trim() || null,
          key_hash: hashApiKey(plain),
          key_prefix: plain.slice(0, PREFIX_LENGTH),
          target_id: checked.targetId,
          target_group_id: checked.targetGroupId,
          actions: checked.actions.join(','),
          return_timeout_seconds: checked.returnTimeoutSeconds,
          created_at: this.clock.now(),
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return { key: toKey(row), plain };
  }

  /** Revokes at once. Revoking a revoked key changes nothing (its first revocation time stays). */
  async revoke(companyId: number, id: number): Promise<CallControlKey> {
    const current = await this.get(companyId, id);
    if (current.revoked_at !== null) return current;
    const revokedAt = this.clock.now();
    await this.db
      .updateTable('call_control_keys')
      .set({ revoked_at: revokedAt })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    return this.get(companyId, id);
  }

  /**
   * The scope of a live key, or undefined when the key is unknown, revoked, or its target/group was
   * deleted (a key that can reach nothing is no key at all).
   */
  async scopeOf(plain: string | undefined): Promise<KeyScope | undefined> {
    if (!plain) return undefined;
    const row = await this.db
      .selectFrom('call_control_keys')
      .selectAll()
      .where('key_hash', '=', hashApiKey(plain))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const targets = await this.reachableTargets(row);
    if (!targets) return undefined;
    return {
      keyId: row.id,
      companyId: row.company_id,
      targetId: row.target_id,
      targetGroupId: row.target_group_id,
      targetIds: targets.map((t) => t.id),
      numbers: [...new Set(targets.map((t) => t.number))],
      actions: parseActions(row.actions),
      returnTimeoutSeconds: row.return_timeout_seconds,
    };
  }

  /** The key's live targets; undefined when its target or group is gone. */
  private async reachableTargets(
    row: CallControlKeyRow,
  ): Promise<{ id: number; number: string }[] | undefined> {
    if (row.target_id !== null) {
      const target = await this.db
        .selectFrom('targets')
        .select(['id', 'number'])
        .where('id', '=', row.target_id)
        .where('company_id', '=', row.company_id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return target ? [target] : undefined;
    }
    const group = await this.db
      .selectFrom('target_groups')
      .select('id')
      .where('id', '=', row.target_group_id)
      .where('company_id', '=', row.company_id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!group) return undefined;
    return this.db
      .selectFrom('target_group_members')
      .innerJoin('targets', 'targets.id', 'target_group_members.target_id')
      .select(['targets.id', 'targets.number'])
      .where('target_group_members.target_group_id', '=', group.id)
      .where('targets.deleted_at', 'is', null)
      .orderBy('target_group_members.position')
      .execute();
  }

  private async assertOwnerLive(companyId: number, checked: CheckedInput, conn: Conn): Promise<void> {
    const [table, field, id] =
      checked.targetId !== null
        ? (['targets', 'target_id', checked.targetId] as const)
        : (['target_groups', 'target_group_id', checked.targetGroupId!] as const);
    const live = await conn
      .selectFrom(table)
      .select('id')
      .where('id', '=', id)
      .where('company_id', '=', companyId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    const what = table === 'targets' ? 'target' : 'target group';
    if (!live) throw ValidationFailed.field(field, `is not a live ${what} of this company`);
  }
}

interface CheckedInput {
  targetId: number | null;
  targetGroupId: number | null;
  actions: CallControlAction[];
  returnTimeoutSeconds: number;
}

/** Every check that needs no database, all errors at once. */
function checkInput(input: CallControlKeyInput): CheckedInput {
  const errors: FieldErrors = {};
  const targetId = input.target_id ?? null;
  const targetGroupId = input.target_group_id ?? null;
  if ((targetId === null) === (targetGroupId === null)) {
    errors.target_id = ['exactly one of target_id and target_group_id must be given'];
  }
  const actions = input.actions === undefined ? [...CALL_CONTROL_ACTIONS] : [...new Set(input.actions)];
  const unknown = actions.filter((a) => !CALL_CONTROL_ACTIONS.includes(a as CallControlAction));
  if (unknown.length) {
    errors.actions = [`has unknown actions ${unknown.join(', ')}; known: ${CALL_CONTROL_ACTIONS.join(', ')}`];
  } else if (actions.length === 0) errors.actions = ["can't be empty"];
  const returnTimeoutSeconds = input.return_timeout_seconds ?? DEFAULT_RETURN_TIMEOUT_SECONDS;
  if (
    !Number.isInteger(returnTimeoutSeconds) ||
    returnTimeoutSeconds < 1 ||
    returnTimeoutSeconds > MAX_RETURN_TIMEOUT_SECONDS
  ) {
    errors.return_timeout_seconds = [`must be an integer from 1 to ${MAX_RETURN_TIMEOUT_SECONDS}`];
  }
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  // Stored in the canonical order, whatever order the client sent.
  const ordered = CALL_CONTROL_ACTIONS.filter((a) => actions.includes(a));
  return { targetId, targetGroupId, actions: ordered, returnTimeoutSeconds };
}

function parseActions(stored: string): CallControlAction[] {
  const names = stored.split(',');
  return CALL_CONTROL_ACTIONS.filter((a) => names.includes(a));
}

function toKey({ key_hash: _hash, actions, ...rest }: CallControlKeyRow): CallControlKey {
  return { ...rest, actions: parseActions(actions) };
}
