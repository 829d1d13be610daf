import { Type } from 'typebox';
import { Bool, Closed, NullStr, Open, Str } from '../schemas.js';

/** Answers of the simulated network's API (routes.ts, present.ts). See src/api/schemas.ts. */

const kind = <K extends string>(k: K) => Type.Literal(k);

/** What the caller hears now, one shape per kind. */
const Hearing = Type.Union(
  [
    Closed({ kind: kind('ended') }),
    Closed({ kind: kind('hold'), music: Str }),
    Closed({ kind: kind('prompt'), text: Str, voice: Str }),
    Closed({ kind: kind('audio'), name: Str }),
    Closed({ kind: kind('connected'), party: NullStr }),
    Closed({ kind: kind('conference'), parties: Type.Array(Str) }),
    Closed({ kind: kind('ringing') }),
    Closed({ kind: kind('silence') }),
  ],
  { description: 'What the caller hears now' },
);

export const SimLeg = Closed(
  {
    id: Str,
    direction: Str,
    from: Str,
    to: Str,
    state: Str,
    voicemail: Bool,
    bridged_with: NullStr,
    on_hold: Bool,
    muted: Bool,
    playing: NullStr,
    digits_received: Str,
    started_at: Str,
    answered_at: NullStr,
    ended_at: NullStr,
    end_reason: NullStr,
  },
  'One leg of a simulated call',
);

export const SimCall = Closed(
  { id: Str, call_uuid: NullStr, state: Str, hearing: Hearing, legs: Type.Array(SimLeg) },
  'A simulated call as its caller experiences it',
);

export const SimPlaced = Closed({ id: Str, call_uuid: Str }, 'The call placed');

/** The behaviour fields are echoed as they were sent, after the normalized number. */
export const SimEndpoint = Closed({ endpoint: Open({ number: Str }, 'The endpoint and its behaviour') });

export const SimClock = Closed({ now: Str, kind: Str }, 'The server clock');
