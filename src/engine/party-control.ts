import { CALL_CONTROL_ACTIONS, CallControlError, type KeyScope } from '../domain/call-control.js';
import type { PartyControl, PartyRef } from '../domain/party-control.js';
import { DriverError, type DriverEvent, type TelephonyDriver } from '../telephony/driver.js';
import type { CallSession } from './session.js';

interface Host {
  session(callUuid: string): CallSession | undefined;
  /** Feeds an event to the session owning its leg, as if the network had sent it. */
  deliver(ev: DriverEvent): void;
  driver: TelephonyDriver;
}

/**
 * Party actions for faces that control legs one by one (RingCentral). Hold, unhold and mute act on the
 * driver and record the leg's state; drop and reject hang the leg up and hand the script the event the
 * network would have sent, so the call's own steps decide what follows (next target, hand-over, end).
 */
export function partyControl(host: Host): PartyControl {
  const live = (companyId: number, callUuid: string): CallSession => {
    const s = host.session(callUuid);
    if (!s || s.phase === 'ended' || s.companyId !== companyId || s.callerGone)
      throw new CallControlError('call not live');
    return s;
  };
  const ended = { status: 'ended', end_reason: 'dropped', hung_up_by: 'system' };
  return {
    async hold(p) {
      const s = live(p.companyId, p.callUuid);
      await net(() => s.tel.hold(p.legId, 'default'));
      await s.legChanged(p.legId, p.direction, p.to, { status: 'hold' });
    },
    async park(p) {
      const s = live(p.companyId, p.callUuid);
      await net(() => s.tel.hold(p.legId, 'default'));
      await s.legChanged(p.legId, p.direction, p.to, { status: 'parked' });
    },
    async unhold(p) {
      const s = live(p.companyId, p.callUuid);
      await net(() => s.tel.unhold(p.legId));
      await s.legChanged(p.legId, p.direction, p.to, { status: 'answered' });
    },
    async mute(p, on) {
      const s = live(p.companyId, p.callUuid);
      await net(() => s.tel.mute(p.legId, on));
      s.flow(on ? 'muted' : 'unmuted', { leg_id: p.legId, to: p.to });
    },
    async drop(p) {
      const s = live(p.companyId, p.callUuid);
      await s.tel.hangup(p.legId);
      if (p.legId !== s.inLeg)
        await s.legChanged(p.legId, p.direction, p.to, { ...ended, ended_at: s.now() });
      host.deliver({ type: 'hangup', leg: p.legId, by: p.legId === s.inLeg ? 'caller' : 'target' });
    },
    async end(companyId, callUuid, reason) {
      live(companyId, callUuid).endBySystem(reason);
    },
    async reject(p) {
      const s = live(p.companyId, p.callUuid);
      await s.tel.hangup(p.legId, 'rejected');
      host.deliver({ type: 'failed', leg: p.legId, reason: 'rejected' });
    },
    async forward(p, to) {
      ringing(live(p.companyId, p.callUuid), p).deliver({ type: 'forward', leg: p.legId, to });
    },
    async answer(p) {
      const s = ringing(live(p.companyId, p.callUuid), p);
      await net(() => s.tel.answer(p.legId));
    },
    async transfer(p, to) {
      const s = live(p.companyId, p.callUuid);
      await s.command({ kind: 'transfer', scope: scopeFor(s, p), holdCaller: true, transferTo: to });
      await this.drop(p);
    },
    async record(companyId, callUuid, action) {
      const s = live(companyId, callUuid);
      await net(() => s.tel.record(callUuid, action));
      s.flow(RECORDING_EVENT[action], { action });
    },
  };
}

/** A recording's segments as call-flow events (docs/call-flow-events.md). */
export const RECORDING_EVENT = {
  start: 'recording_started',
  pause: 'recording_paused',
  resume: 'recording_resumed',
  stop: 'recording_stopped',
} as const;

/** The party must be a phone the call's dial step is ringing now (not a transfer's, not answered). */
function ringing(s: CallSession, p: PartyRef): CallSession {
  if (!s.ringing?.has(p.legId)) throw new CallControlError('party not ringing');
  return s;
}

/** The connected phase authorizes by key scope: a party acting on its own call reaches it by its number. */
function scopeFor(s: CallSession, p: PartyRef): KeyScope {
  return {
    keyId: 0,
    companyId: s.companyId,
    targetId: null,
    targetGroupId: null,
    targetIds: [],
    numbers: [p.to],
    actions: [...CALL_CONTROL_ACTIONS],
    returnTimeoutSeconds: 0,
  };
}

/** A command the network would not carry out is answered as such, in the face's error shape. */
async function net(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof DriverError) throw new CallControlError('telephony failure');
    throw err;
  }
}
