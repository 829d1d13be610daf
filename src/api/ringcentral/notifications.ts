import type { EventFilter } from '../../domain/event-filters.js';
import type { NotificationBodies } from '../../services/subscriptions-notifier.js';
import type { LegRow, SessionView, TelephonySessionService } from '../../services/telephony-sessions.js';
import type { UserService } from '../../services/users.js';
import { activeCallsOf } from './presence.js';
import { presentParty } from './present.js';

/** Notification bodies as the seed shows them, from the same presenters the REST answers use. */
export function notificationBodies(
  sessions: TelephonySessionService,
  users: UserService,
): NotificationBodies {
  return {
    sessionBody(
      view: SessionView,
      leg: LegRow,
      sequence: number,
      eventTime: number,
      extensionId: number | null,
    ) {
      return {
        sequence,
        sessionId: String(view.call.id),
        telephonySessionId: view.call.uuid,
        serverId: 'switchboard',
        eventTime: new Date(eventTime).toISOString(),
        accountId: String(view.call.company_id),
        parties: [presentParty(view, leg, sessions.flagsOf(leg.id))],
        origin: { type: view.origin.type },
        ...(extensionId === null ? {} : { extensionId: String(extensionId) }),
      };
    },
    async presenceBody(view: SessionView, _leg: LegRow, personId: number, sequence: number, f: EventFilter) {
      const person = await users.get(view.call.company_id, personId);
      // This session as the event saw it; the person's other sessions as they are now.
      const others = (await sessions.active(person.company_id, person)).filter(
        (v) => v.call.uuid !== view.call.uuid,
      );
      const active = activeCallsOf(person, [view, ...others]);
      const rank = ['Ringing', 'OnHold', 'ParkedCall', 'CallConnected'] as const;
      const telephonyStatus = rank.find((s) => active.some((c) => c.telephonyStatus === s)) ?? 'NoCall';
      return {
        extensionId: person.id,
        telephonyStatus,
        ...(f.kind === 'presence' && f.detailed
          ? { activeCalls: f.sipData ? active : active.map(({ sipData: _s, ...c }) => c) }
          : {}),
        sequence,
        presenceStatus: active.length ? 'Busy' : 'Available',
        userStatus: person.status === 'available' ? 'Available' : 'Offline',
        dndStatus: 'TakeAllCalls',
        allowSeeMyPresence: true,
        ringOnMonitoredCall: false,
        pickUpCallsOnHold: false,
        totalActiveCalls: active.length,
      };
    },
  };
}
