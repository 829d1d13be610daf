import type { CallSession } from '../session.js';
import type { Connected } from './dial.js';

/** A pause written as `w` in send_digits lasts half a second. */
const PAUSE_MS = 500;

/**
 * The answered leg is joined to the caller: caps count the call now, `send_digits` are played to the
 * target, and we wait for either side to hang up. Returns who did.
 */
export async function connect(s: CallSession, c: Connected): Promise<'caller' | 'target'> {
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
  const ev = await s.waitFor((e) => e.type === 'hangup' && (e.leg === s.inLeg || e.leg === c.leg), {
    allowCallerHangup: true,
  });
  const by = ev !== 'timeout' && ev.type === 'hangup' && ev.leg === c.leg ? 'target' : 'caller';
  if (by === 'caller') await driver.hangup(c.leg);
  await s.legChanged(c.leg, 'outbound', c.dialedNumber, {
    status: 'ended',
    ended_at: s.now(),
    hung_up_by: by,
    end_reason: 'normal',
  });
  for (const lease of c.leases) lease.release();
  return by;
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
