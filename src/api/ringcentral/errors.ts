import type { FastifyError } from 'fastify';
import { CallControlError } from '../../domain/call-control.js';
import {
  DomainError,
  Forbidden,
  Gone,
  NotFound,
  RateLimited,
  RuleViolation,
  Unauthenticated,
  Unavailable,
  ValidationFailed,
} from '../../domain/errors.js';
import { OAuthError } from '../../services/oauth.js';
import { SubscriptionRefused } from '../../services/subscriptions.js';
import { isUniqueViolation, takenError } from '../../store/unique.js';
import { DriverError } from '../../telephony/driver.js';

/** An error of this face, already in its wire shape. */
export interface RcWireError {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** RingCentral's API error: `errorCode`, `message`, and the same in `errors[]` (ApiErrorResponseModel). */
export function rcError(
  status: number,
  errorCode: string,
  message: string,
  parameterName?: string,
): RcWireError {
  const item = { errorCode, message, ...(parameterName ? { parameterName } : {}) };
  return { status, body: { errorCode, message, errors: [item] } };
}

/** OAuth's error (RFC 6749 §5.2) with RingCentral's `errors[]` beside it, as its token endpoint answers. */
export function oauthError(status: number, error: string, description: string, rcCode: string): RcWireError {
  return {
    status,
    body: { error, error_description: description, errors: [{ errorCode: rcCode, message: description }] },
    ...(status === 401 ? { headers: { 'www-authenticate': 'Basic realm="RingCentral"' } } : {}),
  };
}

/** A wrong-state party action: what RingCentral answers with 409 `TAS-xxx` codes. */
export class PartyStateError extends DomainError {
  readonly code = 'party_state';
}

/** A documented action the simulated network cannot carry out (docs/compat.md lists them). */
export class FeatureUnavailable extends DomainError {
  readonly code = 'feature_unavailable';
}

/** Every error the face can meet, mapped once. */
export function toRcError(err: unknown): RcWireError {
  if (err instanceof OAuthError)
    return oauthError(err.error === 'invalid_client' ? 401 : 400, err.error, err.message, err.rcCode);
  if (err instanceof SubscriptionRefused) return rcError(400, err.rcCode, err.message);
  if (err instanceof FeatureUnavailable) return rcError(403, 'FeatureNotAvailable', err.message);
  if (err instanceof PartyStateError) return rcError(409, 'TAS-109', err.message);
  if (err instanceof CallControlError) return fromCallControl(err);
  if (err instanceof DomainError) return fromDomain(err);
  // A write that raced another past the service's up-front check: the same 400 the check gives.
  if (isUniqueViolation(err)) return fromDomain(takenError(err));
  if (err instanceof DriverError) return telephonyFailure();
  const fe = err as FastifyError & {
    validation?: { instancePath: string; message?: string; params?: any }[];
  };
  if (fe?.validation) {
    const first = fe.validation[0];
    const field =
      first?.params?.missingProperty ??
      first?.params?.additionalProperty ??
      first?.instancePath.replace(/^\//, '');
    return rcError(
      400,
      'CMN-101',
      `Parameter [${field || 'body'}] value is invalid: ${first?.message ?? ''}`.trim(),
      field || undefined,
    );
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 413) return rcError(413, 'CMN-413', 'Request entity is too large');
  if (status === 415) return rcError(415, 'CMN-415', 'Unsupported Media Type');
  if (status >= 400 && status < 500) return rcError(400, 'CMN-101', 'Request body is invalid');
  return rcError(500, 'CMN-500', 'Internal Server Error');
}

/** The telephone network refused or lost a command (a SIP peer's error, a timeout). */
const telephonyFailure = () =>
  rcError(502, 'TAS-502', 'The telephone network could not carry out the action; try again');

/** The engine's call-control reasons: the state ones are RingCentral's 409, the rest keep their meaning. */
function fromCallControl(err: CallControlError): RcWireError {
  switch (err.reason) {
    case 'not authorized':
      return rcError(403, 'CMN-401', 'In order to call this API endpoint, user needs to have permissions');
    case 'transfer not found':
      return rcError(404, 'CMN-102', 'Resource for parameter [transfer] is not found');
    case 'cannot dial transfer_to number':
      return rcError(400, 'CMN-101', 'Parameter [phoneNumber] value is invalid', 'phoneNumber');
    case 'telephony failure':
      return telephonyFailure();
    default:
      return rcError(409, 'TAS-109', `Call is not in a state for this action: ${err.message}`);
  }
}

function fromDomain(err: DomainError): RcWireError {
  if (err instanceof NotFound)
    return rcError(404, 'CMN-102', `Resource for parameter [${err.resource}] is not found`);
  if (err instanceof Gone)
    return rcError(404, 'CMN-102', `Resource for parameter [${err.resource}] is not found`);
  if (err instanceof ValidationFailed) {
    const [field, msgs] = Object.entries(err.errors)[0] ?? ['body', ['is invalid']];
    return rcError(400, 'CMN-101', `Parameter [${field}] value is invalid: ${msgs[0]}`, field);
  }
  if (err instanceof RuleViolation) return rcError(400, 'CMN-101', err.message);
  if (err instanceof Unavailable) return rcError(503, 'CMN-211', err.message);
  if (err instanceof Unauthenticated) {
    const missing = err.message === 'Authorization header is not specified';
    return rcError(401, missing ? 'AGW-401' : 'TokenInvalid', err.message);
  }
  if (err instanceof Forbidden)
    return rcError(
      403,
      'CMN-401',
      err.message || 'In order to call this API endpoint, user needs to have permissions',
    );
  if (err instanceof RateLimited) {
    return {
      ...rcError(429, 'CMN-301', 'Request rate exceeded'),
      headers: { 'retry-after': String(err.retryAfterSeconds) },
    };
  }
  return rcError(500, 'CMN-500', 'Internal Server Error');
}
