import { Type } from 'typebox';
import { Closed, Int, NullInt, NullNum, NullStr, Num, Str, StringMap, Time } from '../schemas.js';

/** Answers of RTB, call reservations and data writing (rtb.ts). See src/api/schemas.ts. */

const shielded = Type.Optional(
  Type.Literal(true, { description: 'Only on an answer the ping shield gave from its cache' }),
);

/** The seed's RTB answer. */
export const RtbAnswer = Closed(
  {
    uuid: Str,
    status: Str,
    retreaver_payout: NullNum,
    retreaver_seconds: NullInt,
    inbound_number: NullStr,
    expires_at: Time,
    retreaver_ping_shield: shielded,
  },
  'A bid: the reserved number, or status no-target',
);

/** The seed's `call_reservation`, with `inbound_number` as E.164 digits in a JSON number. */
export const CallReservationAnswer = Closed({
  call_reservation: Closed({
    uuid: Str,
    inbound_number: NullNum,
    caller_number: Str,
    status: Str,
    expires_at: Time,
    claimed_at: Time,
    wiped_at: Time,
    retreaver_ping_shield: shielded,
    call: Closed({
      formatted_caller_number: Str,
      status: Str,
      start_time: Type.Union([Num, Type.Null()], { description: 'Epoch milliseconds, as the seed shows' }),
      end_time: NullNum,
      caller_number: Str,
      target_id: NullInt,
      winning_leg_connected_at: NullNum,
      winning_leg_disconnected_at: NullNum,
      matched_targets: Type.Array(Closed({ id: Int, tid: NullStr, name: NullStr, number: Str })),
      tag_values: Type.Array(Closed({ key: Str, value: Str })),
      conversion_groups: Type.Array(Closed({ seconds: NullInt, payout: Num })),
    }),
  }),
});

/** Call Data Writing: the call's uuid when a call was found, else the caller's number. */
export const DataWritingAnswer = Type.Union([
  Closed({ tag_values: StringMap, call_uuid: Str, status: Str }),
  Closed({ tag_values: StringMap, caller_number: Str, status: Str }),
]);
