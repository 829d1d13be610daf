import type { FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import type { SessionView } from '../../services/telephony-sessions.js';
import type { Person } from '../../services/users.js';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { AccountParams, accountOf, displayName, ExtensionParams, extensionOf } from './account.js';
import { baseUri } from './plugin.js';
import { partyDirection, partyStatus } from './present.js';
import { AccountPresence, Presence } from './responses.js';

type TelephonyStatus = 'NoCall' | 'CallConnected' | 'Ringing' | 'OnHold' | 'ParkedCall';

const TELEPHONY: Record<string, TelephonyStatus> = {
  Setup: 'Ringing',
  Proceeding: 'Ringing',
  Answered: 'CallConnected',
  VoiceMail: 'CallConnected',
  Hold: 'OnHold',
  Parked: 'ParkedCall',
};

/** The person's live parties as presence `activeCalls`, with the telephony session and party ids. */
export function activeCallsOf(person: Person, views: SessionView[]) {
  const calls = [];
  for (const v of views) {
    for (const leg of v.legs) {
      if (v.owners.get(leg.id)?.id !== person.id) continue;
      const code = partyStatus(leg).code;
      const telephonyStatus = TELEPHONY[code];
      if (!telephonyStatus) continue;
      const inbound = partyDirection(v, leg) === 'Inbound';
      const { self, other } = ends(v, leg, inbound);
      calls.push({
        id: `${v.call.uuid}:${leg.id}`,
        direction: inbound ? 'Inbound' : 'Outbound',
        from: inbound ? other : self,
        to: inbound ? self : other,
        ...(inbound ? { toName: displayName(person) } : { fromName: displayName(person) }),
        telephonyStatus,
        sipData: {
          toTag: leg.id,
          fromTag: v.call.uuid,
          remoteUri: `sip:${other}@switchboard`,
          localUri: `sip:${self}@switchboard`,
        },
        sessionId: String(v.call.id),
        telephonySessionId: v.call.uuid,
        partyId: leg.id,
        startTime: new Date(leg.started_at).toISOString(),
      });
    }
  }
  return calls;
}

/**
 * The user's own number and the far end's. The first leg of a call-out or ring-out rings the user's
 * phone but calls the destination (the call's number).
 */
function ends(v: SessionView, leg: SessionView['legs'][number], inbound: boolean) {
  if (leg.id === v.origin.firstLegId) return { self: leg.to_number, other: v.call.number };
  return inbound
    ? { self: leg.to_number, other: leg.from_number }
    : { self: leg.from_number, other: leg.to_number };
}

export function presenceOf(req: FastifyRequest, person: Person, views: SessionView[], detailed: boolean) {
  const active = activeCallsOf(person, views);
  const rank: TelephonyStatus[] = ['Ringing', 'OnHold', 'ParkedCall', 'CallConnected'];
  const telephonyStatus: TelephonyStatus =
    rank.find((s) => active.some((c) => c.telephonyStatus === s)) ?? 'NoCall';
  const available = person.status === 'available';
  return {
    uri: `${baseUri(req)}/account/${person.company_id}/extension/${person.id}/presence`,
    extension: {
      id: person.id,
      uri: `${baseUri(req)}/account/${person.company_id}/extension/${person.id}`,
      extensionNumber: person.extension_number,
    },
    presenceStatus: active.length ? 'Busy' : available ? 'Available' : 'Offline',
    userStatus: available ? 'Available' : 'Offline',
    dndStatus: available ? 'TakeAllCalls' : 'DoNotAcceptAnyCalls',
    telephonyStatus,
    allowSeeMyPresence: true,
    ringOnMonitoredCall: false,
    pickUpCallsOnHold: false,
    ...(detailed ? { activeCalls: active.map(({ sipData, ...c }) => c) } : {}),
  };
}

const tags = ['RingCentral presence'];

export async function presenceRoutes(app: CoreApp, services: Pick<Services, 'users' | 'telephonySessions'>) {
  app.get(
    '/v1.0/account/:accountId/extension/:extensionId/presence',
    {
      schema: {
        tags,
        summary: "Get an extension's presence",
        params: ExtensionParams,
        response: { 200: Presence },
      },
    },
    async (req) => {
      const person = await extensionOf(req, services.users, req.params.accountId, req.params.extensionId);
      const q = req.query as Record<string, string | undefined>;
      const views = await services.telephonySessions.active(person.company_id, person);
      const body = presenceOf(req, person, views, q.detailedTelephonyState === 'true');
      if (q.sipData === 'true' && q.detailedTelephonyState === 'true')
        return { ...body, activeCalls: activeCallsOf(person, views) };
      return body;
    },
  );

  app.get(
    '/v1.0/account/:accountId/presence',
    {
      schema: {
        tags,
        summary: "Get every extension's presence",
        params: AccountParams,
        response: { 200: AccountPresence },
      },
    },
    async (req) => {
      const companyId = accountOf(req, req.params.accountId);
      const q = req.query as Record<string, string | undefined>;
      const detailed = q.detailedTelephonyState === 'true';
      const [people, views] = await Promise.all([
        services.users.pageOf(companyId, 1, 1000),
        services.telephonySessions.active(companyId),
      ]);
      const records = people.rows.map((p) => {
        const body = presenceOf(req, p, views, detailed);
        return q.sipData === 'true' && detailed ? { ...body, activeCalls: activeCallsOf(p, views) } : body;
      });
      return {
        uri: `${baseUri(req)}/account/${companyId}/presence`,
        records,
        navigation: {},
        paging: { page: 1, perPage: 1000, totalPages: 1, totalElements: records.length },
      };
    },
  );
}
