import type { FastifyError, FastifyReply } from 'fastify';
import { CallRequestRefused } from '../../domain/ccai-calls.js';
import {
  DomainError,
  Forbidden,
  Gone,
  NotFound,
  RateLimited,
  RuleViolation,
  Unauthenticated,
  ValidationFailed,
} from '../../domain/errors.js';

/** An error of this face in its wire shape: CCAI Platform answers `{"message": …}` for every failure. */
export interface CcaiWireError {
  status: number;
  body: { message: string };
  headers?: Record<string, string>;
}

const wire = (status: number, message: string, headers?: Record<string, string>): CcaiWireError => ({
  status,
  body: { message },
  ...(headers ? { headers } : {}),
});

/** Every error the face can meet, mapped once. */
export function toCcaiError(err: unknown): CcaiWireError {
  // The documented call errors are answered word for word (docs/ccai.md lists them per call type).
  if (err instanceof CallRequestRefused) return wire(400, err.message);
  if (err instanceof DomainError) return fromDomain(err);
  const fe = err as FastifyError & {
    validation?: { instancePath: string; message?: string; params?: any }[];
  };
  if (fe?.validation) {
    const first = fe.validation[0];
    const field =
      first?.params?.missingProperty ??
      first?.params?.additionalProperty ??
      first?.instancePath.replace(/^\//, '').replace(/\//g, '.');
    return wire(400, `${field || 'body'} ${first?.message ?? 'is invalid'}`.trim());
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 413) return wire(413, 'Request body is too large');
  if (status === 415) return wire(415, 'Unsupported Media Type');
  if (status === 503) return wire(503, 'Service Unavailable');
  if (status >= 400 && status < 500) return wire(400, 'Request body is invalid');
  return wire(500, 'Internal Server Error');
}

function fromDomain(err: DomainError): CcaiWireError {
  if (err instanceof NotFound || err instanceof Gone) return wire(404, `${err.resource} not found`);
  if (err instanceof ValidationFailed || err instanceof RuleViolation) return wire(400, err.message);
  if (err instanceof Unauthenticated)
    return wire(401, 'Unauthorized', { 'www-authenticate': 'Basic realm="CCAI Platform"' });
  if (err instanceof Forbidden) return wire(403, err.message || 'Forbidden');
  if (err instanceof RateLimited)
    return wire(429, 'Too Many Requests', { 'retry-after': String(err.retryAfterSeconds) });
  return wire(500, 'Internal Server Error');
}

export function sendCcaiError(reply: FastifyReply, err: CcaiWireError) {
  for (const [k, v] of Object.entries(err.headers ?? {})) reply.header(k, v);
  return reply.code(err.status).type('application/json').send(JSON.stringify(err.body));
}
