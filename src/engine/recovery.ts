import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { callDurations } from '../domain/call-durations.js';
import type { CallRow } from '../store/call-store.js';
import { CallRecord } from './call-record.js';
import { finish } from './run-call.js';
import { CallSession, type EngineDeps, type SessionHost } from './session.js';

export const RESTART_REASON = 'process restarted';
/** Why a survivor ended a call whose node stopped (its lease in the live-call registry expired). */
export const NODE_LOST_REASON = 'node lost';

/** A clock stopped at one instant: a call closed after a restart ends at its last checkpoint. */
function stoppedAt(at: number, clock: Clock): Clock {
  return { kind: clock.kind, now: () => at, schedule: (ms, fn) => clock.schedule(ms, fn) };
}

/**
 * Closes one call a stopped process left live, at its last checkpoint (`updated_at`). A caller's call
 * goes through the same end as any call (end and sale timers, conversion, `call_ended`); a transfer's
 * downstream record is only closed with its durations (its events belong to the caller's call).
 */
export async function endInterrupted(
  deps: EngineDeps,
  host: SessionHost,
  row: CallRow,
  reason: string = RESTART_REASON,
): Promise<void> {
  const at = row.updated_at ?? row.start_time;
  const { store } = deps;
  const ctx = row.upstream_call_uuid ? undefined : await store.inbound(row.number);
  await store.endOpenLegs(row.uuid, at, reason);
  if (!ctx || ctx.companyId !== row.company_id) {
    await store.saveCall(row.uuid, {
      ...callDurations(row, at, deps.ratePerMinute),
      status: row.connected ? 'finished' : 'no-target',
      hung_up_by: 'system',
      end_time: at,
      end_reason: reason,
      updated_at: at,
    });
    return;
  }
  // The flow of the number as it is now (timers, webhooks), the call's own facts from its record.
  ctx.flow.campaignId = row.campaign_id ?? ctx.flow.campaignId;
  const inLeg = (await store.inboundLeg(row.uuid)) ?? randomUUID();
  const session = new CallSession(
    { ...deps, clock: stoppedAt(at, deps.clock) },
    host,
    row.uuid,
    inLeg,
    row.caller,
    ctx,
    CallRecord.existing(store, row),
  );
  session.callerGone = true; // there is no leg left to hang up
  session.tags = parse(row.tags, {});
  session.keysPressed.push(...parse<string[]>(row.keys_pressed, []));
  session.callerNumberSent = row.caller_number_sent ?? null;
  session.resumeFireOrder((await store.lastFireOrder(row.uuid)) + 1);
  session.pixels.resume(
    row.connected ? (row.connected_time ?? null) : null,
    row.network_sale_timer_fired != null,
  );
  await finish(session, { status: 'finished', hungUpBy: 'system', reason: reason });
  session.close();
}

function parse<T>(text: string | null | undefined, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}
