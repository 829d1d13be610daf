import type { FastifyReply } from 'fastify';
import { type CallControlCode, CallControlError } from '../../../domain/call-control.js';
import { type FieldErrors, Unavailable } from '../../../domain/errors.js';
import type { ActiveCall } from '../../../services/active-calls.js';
import { toWireError } from '../errors.js';
import { send } from '../reply.js';

/** One answer of the Call Control face: `{"success": …, …}` with its HTTP status. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** XML answers are rooted at `<response>` (the seed shows JSON only). */
export const XML_ROOT = 'response';

export function sendAnswer(reply: FastifyReply, answer: Answer) {
  for (const [k, v] of Object.entries(answer.headers ?? {})) reply.header(k, v);
  return send(reply, answer.body, { status: answer.status, root: XML_ROOT });
}

export const ok = (fields: Record<string, unknown> = {}): Answer => ({
  status: 200,
  body: { success: true, ...fields },
});

export const failure = (status: number, error: string, errors?: FieldErrors): Answer => ({
  status,
  body: { success: false, error, ...(errors ? { errors } : {}) },
});

/**
 * HTTP status of each documented error. The seed gives none: 404 for an unknown transfer, 403 for a key
 * that may not touch the call, 400 for a number we will not dial, 409 for everything that depends on the
 * call's state at that moment (retrying later, or with another key, may succeed).
 */
export const STATUS_OF: Record<CallControlCode, number> = {
  'not authorized': 403,
  'transfer not found': 404,
  'cannot dial transfer_to number': 400,
  'call not live': 409,
  'call already transferred': 409,
  'caller hung up': 409,
  'caller not held': 409,
  'transfer not in progress': 409,
  'transferor not present': 409,
  'call not returnable': 409,
  'call not awaiting acceptance': 409,
  'party not ringing': 409,
  'telephony failure': 502,
};

/** Statuses the face produces itself, with the lower-case messages the seed's errors use. */
const GENERIC: Record<number, string> = {
  400: 'bad request',
  401: 'not authorized',
  403: 'not authorized',
  404: 'not found',
  405: 'method not allowed',
  406: 'not acceptable',
  410: 'not found',
  413: 'request body is too large',
  415: 'unsupported content type',
  429: 'too many requests',
  503: 'service unavailable',
};

export function genericFailure(status: number): Answer {
  return failure(status, GENERIC[status] ?? 'internal error');
}

/** Any thrown error as an answer: the engine's reasons verbatim, validation with its fields. */
export function errorAnswer(err: unknown): Answer {
  if (err instanceof CallControlError) return failure(STATUS_OF[err.reason] ?? 409, err.reason);
  // A call whose node is not answering: the reason, not a generic "service unavailable".
  if (err instanceof Unavailable) return failure(503, err.message);
  const wire = toWireError(err);
  if (wire.body.errors) return failure(400, summarize(wire.body.errors), wire.body.errors);
  return { ...genericFailure(wire.status), headers: wire.headers };
}

/** `{"transfer_to": ["can't be blank"]}` → "transfer_to can't be blank" (the first problem). */
export function summarize(errors: FieldErrors): string {
  const [field, messages] = Object.entries(errors)[0] ?? ['request', ['is invalid']];
  return `${field} ${messages[0] ?? 'is invalid'}`;
}

export function presentActiveCall(c: ActiveCall) {
  return {
    caller_number: c.callerNumber,
    caller_number_sent: c.callerNumberSent,
    dialed_out_number: c.dialedOutNumber,
    call_uuid: c.callUuid,
    started_at: c.startedAt,
    dialed_out_at: c.dialedOutAt,
  };
}
