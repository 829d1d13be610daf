import { type TSchema, Type } from 'typebox';
import { Bool, Closed, Int, NullStr, Str } from '../schemas.js';

/**
 * Answers of the RingCentral face, named after the models of RingCentral's OpenAPI document
 * (../shared/specs/ringcentral-call-control.openapi.json) they follow, with only the fields we send.
 * See src/api/schemas.ts; test/api/ringcentral checks real answers against both documents.
 */

export const NoContent = { description: 'No Content' };

/**
 * The success RingCentral documents for an operation the simulated network cannot carry out; today it
 * always answers 403 `FeatureNotAvailable` (docs/compat.md).
 */
export const Unavailable = { description: 'Not available yet: answers 403 FeatureNotAvailable' };

export const TokenAnswer = Closed(
  {
    access_token: Str,
    token_type: Str,
    expires_in: Int,
    refresh_token: Str,
    refresh_token_expires_in: Int,
    scope: Str,
    owner_id: Str,
    endpoint_id: Str,
    session_id: Str,
  },
  'TokenInfo',
);

const Link = Closed({ uri: Str });

/** RingCentral's list envelope: records, `navigation` links and `paging` counts. */
const list = (item: TSchema, description: string) =>
  Closed(
    {
      uri: Str,
      records: Type.Array(item),
      navigation: Closed({
        firstPage: Type.Optional(Link),
        previousPage: Type.Optional(Link),
        nextPage: Type.Optional(Link),
        lastPage: Type.Optional(Link),
      }),
      paging: Closed({
        page: Int,
        perPage: Int,
        totalPages: Int,
        totalElements: Int,
        pageStart: Type.Optional(Int),
        pageEnd: Type.Optional(Int),
      }),
    },
    description,
  );

export const AccountInfo = Closed(
  { uri: Str, id: Int, status: Str, setupWizardState: Str, federated: Bool },
  'GetAccountInfoResponse',
);

const ExtensionRef = Closed({ id: Int, uri: Str, extensionNumber: Str });

export const Extension = Closed(
  {
    uri: Str,
    id: Int,
    extensionNumber: Str,
    name: Str,
    type: Str,
    status: Str,
    contact: Closed({
      firstName: Type.Optional(Str),
      lastName: Type.Optional(Str),
      email: Str,
      emailAsLoginName: Bool,
      businessPhone: Type.Optional(Str),
    }),
    account: Closed({ id: Str, uri: Str }),
    hidden: Bool,
    setupWizardState: Str,
    creationTime: Str,
  },
  'GetExtensionInfoResponse',
);
export const ExtensionList = list(Extension, 'GetExtensionListResponse');

const Device = Closed({
  id: Str,
  uri: Str,
  type: Str,
  name: Str,
  status: Str,
  extension: ExtensionRef,
  phoneLines: Type.Array(
    Closed({
      id: Str,
      lineType: Str,
      phoneInfo: Closed({ id: Int, phoneNumber: Str, usageType: Str }),
    }),
  ),
});
export const DeviceList = list(Device, 'GetExtensionDevicesResponse');

const ActiveCall = Closed({
  id: Str,
  direction: Str,
  from: Str,
  to: Str,
  toName: Type.Optional(Str),
  fromName: Type.Optional(Str),
  telephonyStatus: Str,
  sipData: Type.Optional(Closed({ toTag: Str, fromTag: Str, remoteUri: Str, localUri: Str })),
  sessionId: Str,
  telephonySessionId: Str,
  partyId: Str,
  startTime: Str,
});

export const Presence = Closed(
  {
    uri: Str,
    extension: ExtensionRef,
    presenceStatus: Str,
    userStatus: Str,
    dndStatus: Str,
    telephonyStatus: Str,
    allowSeeMyPresence: Bool,
    ringOnMonitoredCall: Bool,
    pickUpCallsOnHold: Bool,
    activeCalls: Type.Optional(
      Type.Array(ActiveCall, { description: 'With detailedTelephonyState=true (sipData=true adds sipData)' }),
    ),
  },
  'GetPresenceInfo',
);
export const AccountPresence = list(Presence, 'AccountPresenceInfo');

const PartyEndpoint = Closed({ phoneNumber: Str, name: Type.Optional(Str), extensionId: Type.Optional(Str) });
export const Recording = Closed({ id: Str, active: Bool }, 'CallRecording');

export const CallParty = Closed(
  {
    id: Str,
    direction: Str,
    from: PartyEndpoint,
    to: PartyEndpoint,
    status: Closed({ code: Str, reason: Type.Optional(Str) }),
    muted: Bool,
    standAlone: Bool,
    accountId: Str,
    extensionId: Type.Optional(Str),
    owner: Type.Optional(Closed({ accountId: Str, extensionId: Str })),
    recordings: Type.Optional(Type.Array(Recording)),
    park: Type.Optional(Closed({ id: Str })),
    ringOutRole: Type.Optional(Str),
    conferenceRole: Type.Optional(Str),
  },
  'CallParty',
);

export const CallSession = Closed(
  {
    id: Str,
    creationTime: Str,
    origin: Closed({ type: Str }),
    voiceCallToken: Type.Optional(Str),
    parties: Type.Array(CallParty),
  },
  'CallSessionObject',
);

/** `POST …/telephony/call-out` and `…/conference`: the new session under `session`. */
export const NewSession = Closed({ session: CallSession }, 'CallSession');

const CallingStatus = Str;
/** A ring-out as `GetRingOutStatusResponse`: each side's status and the call's. */
export const RingOutStatus = Closed(
  {
    id: Str,
    uri: Str,
    status: Closed(
      { callStatus: CallingStatus, callerStatus: CallingStatus, calleeStatus: CallingStatus },
      'RingOutStatusInfo',
    ),
  },
  'GetRingOutStatusResponse',
);

export const Subscription = Closed(
  {
    uri: Str,
    id: Str,
    creationTime: Str,
    status: Str,
    eventFilters: Type.Array(Str),
    expirationTime: Str,
    expiresIn: Int,
    deliveryMode: Type.Union([
      Closed({ transportType: Str, address: NullStr, encryption: Bool }),
      Closed({ transportType: Str }),
    ]),
  },
  'SubscriptionInfo',
);
export const SubscriptionList = Closed(
  { uri: Str, records: Type.Array(Subscription) },
  'SubscriptionListResource',
);

export const WsToken = Closed({ uri: Str, ws_access_token: Str, expires_in: Int }, 'WebSocket access token');
