import { Type } from 'typebox';
import { Closed, Int, NullInt, NullStr, Str } from '../../schemas.js';

/** Answers of the Call Control API (present.ts): `{"success": true, …}`. See src/api/schemas.ts. */

const success = Type.Literal(true);

export const Succeeded = Closed({ success }, 'Done');

export const TransferStarted = Closed({ success, transfer_uuid: Str }, 'The transfer is dialing');

export const ActiveCalls = Closed(
  {
    success,
    results: Type.Array(
      Closed({
        caller_number: Str,
        caller_number_sent: Str,
        dialed_out_number: NullStr,
        call_uuid: Str,
        started_at: Int,
        dialed_out_at: NullInt,
      }),
    ),
  },
  "Calls in progress for the key's handler",
);
