import type { InboundContext } from '../domain/flow.js';
import { PLACED_VIA, type PlaceCallRequest } from '../domain/placed-call.js';
import { DriverError } from '../telephony/driver.js';
import { type CallRow, startingCallRow } from './call-record.js';
import { errorText } from './commands.js';
import { RECORDING_EVENT } from './party-control.js';
import { finish, type Outcome } from './run-call.js';
import { CallAborted, type CallSession } from './session.js';
import { connect } from './steps/connect.js';
import { type Connected, dialNumbers } from './steps/dial.js';

/**
 * The script of a call the platform places (CCAI's outbound, incoming and scheduled API calls; later
 * RingCentral's call-out and ring-out): leg A's offers one after another until one is answered, then
 * leg B, then the two bridged until either hangs up. The steps are the inbound engine's own — the same
 * dials (command ids, deadlines, ring timeouts, cancelled losers), the same bridge with its retry, the
 * same connected phase and the same end — so a placed call fails, times out and is recorded exactly
 * as an inbound one. Leg A plays the caller's part: once it answers, its hang-up ends the call.
 *
 * With `firstLegHandles` the parts swap once leg B answered: leg B is then the caller (its hang-up is
 * `caller`, and call control's transfers move it) and leg A the handler (`target`).
 *
 * The record says what happened: `hung_up_by` `caller` is leg A's side, `target` leg B's; a call whose
 * legs never both answered ends `no-target` with `end_reason` `first leg not answered`,
 * `second leg not answered` or `bridge failed`.
 */
export async function runPlacedCall(s: CallSession, req: PlaceCallRequest): Promise<void> {
  let outcome: Outcome = { status: 'finished', hungUpBy: 'system' };
  try {
    outcome = await script(s, req);
  } catch (err) {
    if (err instanceof CallAborted) outcome = { status: 'finished', hungUpBy: err.by };
    else if (err instanceof DriverError) {
      s.deps.logger.warn({ call: s.uuid, err: err.message }, 'placed call ended: telephony failure');
      outcome = { status: 'finished', hungUpBy: 'system', reason: `telephony failure: ${errorText(err)}` };
    } else throw err;
  } finally {
    await finish(s, outcome);
  }
}

async function script(s: CallSession, req: PlaceCallRequest): Promise<Outcome> {
  const a = await firstLeg(s, req.first);
  if (!a) return { status: 'no-target', hungUpBy: 'system', reason: 'first leg not answered' };
  s.anchorOn(a.leg);
  s.flow('first_leg_answered', { to: a.dialedNumber });
  s.checkLive();
  const b = await dialNumbers(s, [req.second]);
  if (!b) return { status: 'no-target', hungUpBy: 'system', reason: 'second leg not answered' };
  if (req.record) await startRecording(s);
  const end = await connect(s, req.firstLegHandles ? swapParts(s, a, b) : b);
  if (end.kind === 'ended') return { status: 'finished', hungUpBy: end.by };
  return { status: 'no-target', hungUpBy: 'system', reason: 'bridge failed' };
}

/** Leg B becomes the caller's part (the anchor) and leg A, still a leg of this call, the handler. */
function swapParts(s: CallSession, a: Connected, b: Connected): Connected {
  s.anchorOn(b.leg);
  s.ownLeg(a.leg);
  return a;
}

/** Each offer rings its phones at once; the next offer only once nobody of this one answered. */
async function firstLeg(s: CallSession, offers: PlaceCallRequest['first']): Promise<Connected | undefined> {
  for (const offer of offers) {
    s.checkLive();
    if (!offer.length) continue;
    const answered = await dialNumbers(s, offer);
    if (answered) return answered;
  }
  return undefined;
}

/** Best effort, as every side effect a call can live without: a failure is logged. */
async function startRecording(s: CallSession): Promise<void> {
  try {
    await s.tel.record(s.uuid, 'start');
    s.flow(RECORDING_EVENT.start, { action: 'start' });
  } catch (err) {
    s.deps.logger.warn({ call: s.uuid, err: errorText(err) }, 'recording did not start');
  }
}

/**
 * A placed call belongs to no campaign, number or publisher: its context has no greeting, timers or
 * routing, and campaign id 0, which no conversion rule or webhook has (so none fires for it).
 */
export function placedContext(companyId: number, from: string): InboundContext {
  return {
    companyId,
    number: { id: 0, number: from, sid: null },
    affiliate: null,
    flow: {
      campaignId: 0,
      cid: '',
      campaignName: null,
      dedupeSeconds: 0,
      recordCalls: false,
      greeting: null,
      repeat: 0,
      menuOptions: [],
      timers: [],
      routing: { owner: 'campaign', id: 0 },
    },
  };
}

/** The record of a placed call as it starts: caller is the caller id shown, number leg B's phone. */
export function placedCallRow(uuid: string, req: PlaceCallRequest, now: number, processId: string): CallRow {
  return startingCallRow(
    {
      uuid,
      company_id: req.companyId,
      caller: req.from,
      number: req.second.to,
      via: PLACED_VIA,
      owner_process: processId,
    },
    now,
  );
}
