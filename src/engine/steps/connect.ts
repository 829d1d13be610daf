import type { CallSession } from '../session.js';
import { type ConnectedEnd, connectedPhase } from './connected.js';
import type { Connected } from './dial.js';

/** A pause written as `w` in send_digits lasts half a second. */
const PAUSE_MS = 500;
/** Acceptance window of a target in acceptance mode that no call-control key gives one. */
const DEFAULT_ACCEPT_WINDOW_S = 30;

/**
 * The answered leg is joined to the caller: caps count the call now, `send_digits` are played to the
 * target, and the connected phase runs until someone hangs up or the call is taken back.
 */
export async function connect(s: CallSession, c: Connected): Promise<ConnectedEnd> {
  const { db, driver } = s.deps;
  const now = s.now();
  for (const lease of c.leases) lease.commit();
  const owners = [
    ...(c.target ? [{ owner_type: 'target' as const, owner_id: c.target.id }] : []),
    ...(c.group ? [{ owner_type: 'target_group' as const, owner_id: c.group.id }] : []),
  ];
  if (owners.length) {
    await db
      .insertInto('cap_hits')
      .values(owners.map((o) => ({ ...o, company_id: s.companyId, call_uuid: s.uuid, hit_at: now })))
      .execute();
  }
  await driver.bridge(s.inLeg, c.leg);
  await s.save(
    {
      status: 'in-progress',
      connected: 1,
      connected_time: now,
      dialed_number: c.dialedNumber,
      target_id: c.target?.id ?? null,
      tid: c.target?.tid ?? null,
      target_name: c.target?.name ?? null,
      target_group_id: c.group?.id ?? null,
      target_group_name: c.group?.name ?? null,
      target_repeat: c.target ? await targetRepeat(s, c.target.id) : null,
    },
    'connected',
  );
  if (c.target?.sendDigits) await sendDigits(s, c.leg, c.target.sendDigits);
  s.pixels.onConnected(c.target?.timerOffset ?? 0);
  await s.webhooks.fire('call_connected');
  const end = await connectedPhase(s, c, await acceptanceWindowS(s, c));
  s.phase = 'routing';
  const legEnd = {
    status: 'ended',
    ended_at: s.now(),
    end_reason: end.kind === 'returned' ? 'returned' : 'normal',
  };
  if (end.kind === 'ended' && end.by === 'caller') await driver.hangup(c.leg);
  await s.legChanged(c.leg, 'outbound', c.dialedNumber, {
    ...legEnd,
    hung_up_by: end.kind === 'ended' ? end.by : 'system',
  });
  if (end.kind === 'returned') {
    s.pixels.onReturned();
    await forget(s, c);
  }
  for (const lease of c.leases) lease.release();
  return end;
}

/**
 * A returned call counts for the handler that finally takes it, not this one: its cap usage is undone
 * and the record forgets the target until the next one answers.
 */
async function forget(s: CallSession, c: Connected): Promise<void> {
  for (const lease of c.leases) lease.uncommit();
  await s.deps.db.deleteFrom('cap_hits').where('call_uuid', '=', s.uuid).execute();
  await s.save(
    {
      connected: 0,
      connected_time: null,
      target_id: null,
      tid: null,
      target_name: null,
      target_group_id: null,
      target_group_name: null,
      dialed_number: null,
      target_repeat: null,
    },
    'returned',
  );
}

/** How long an acceptance-mode target has to accept: the longest window of its live call-control keys. */
async function acceptanceWindowS(s: CallSession, c: Connected): Promise<number> {
  if (c.target?.liveCallMode !== 'acceptance') return 0;
  const groupIds = (
    await s.deps.db
      .selectFrom('target_group_members')
      .select('target_group_id')
      .where('target_id', '=', c.target.id)
      .execute()
  ).map((g) => g.target_group_id);
  let q = s.deps.db
    .selectFrom('call_control_keys')
    .select('return_timeout_seconds')
    .where('revoked_at', 'is', null);
  q = q.where((eb) =>
    groupIds.length
      ? eb.or([eb('target_id', '=', c.target!.id), eb('target_group_id', 'in', groupIds)])
      : eb('target_id', '=', c.target!.id),
  );
  const rows = await q.execute();
  return rows.length ? Math.max(...rows.map((r) => r.return_timeout_seconds)) : DEFAULT_ACCEPT_WINDOW_S;
}

/** Digits go out in runs between `w` pauses, each run half a second per pause after the last. */
async function sendDigits(s: CallSession, leg: string, digits: string): Promise<void> {
  let delay = 0;
  for (const run of digits.split(/([wW])/)) {
    if (run === 'w' || run === 'W') delay += PAUSE_MS;
    else if (run) {
      if (delay === 0) await s.deps.driver.sendDigits(leg, run);
      else s.deps.clock.schedule(delay, () => s.deps.driver.sendDigits(leg, run));
    }
  }
}

async function targetRepeat(s: CallSession, targetId: number): Promise<number> {
  const prior = await s.deps.db
    .selectFrom('calls')
    .select('id')
    .where('company_id', '=', s.companyId)
    .where('caller', '=', s.caller)
    .where('target_id', '=', targetId)
    .where('uuid', '!=', s.uuid)
    .executeTakeFirst();
  return prior ? 1 : 0;
}
