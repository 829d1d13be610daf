import type { FastifyError } from 'fastify';
import {
  DomainError,
  type FieldErrors,
  Forbidden,
  Gone,
  NotFound,
  RateLimited,
  RuleViolation,
  Unauthenticated,
  Unavailable,
  ValidationFailed,
} from '../../domain/errors.js';
import { isUniqueViolation, takenError } from '../../store/unique.js';

/**
 * The Retreaver faces' error shape: `{"error": "...", "status": N}`, plus `errors` by field for
 * validation failures (Rails' habit). XML carries the same under `<error>`.
 */
export interface WireError {
  status: number;
  body: { status: number; error: string; errors?: FieldErrors };
  headers?: Record<string, string>;
}

export function wireError(status: number, error: string, errors?: FieldErrors): WireError {
  return { status, body: { status, error, ...(errors ? { errors } : {}) } };
}

export function toWireError(err: unknown): WireError {
  if (err instanceof DomainError) return fromDomain(err);
  // A create that raced another past the service's up-front check: the index has the last word.
  if (isUniqueViolation(err)) return fromDomain(takenError(err));
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe?.validation) return wireError(400, 'Bad Request', fromAjv(fe.validation, fe.validationContext));
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 413) return wireError(413, 'Request body is too large');
  if (status === 415)
    return wireError(415, 'Unsupported Content-Type; send JSON, XML, form or multipart data');
  if (status >= 400 && status < 500)
    return wireError(400, 'Bad Request: your request was unintelligible. Check your formatting.');
  return wireError(500, 'Internal Server Error');
}

function fromDomain(err: DomainError): WireError {
  if (err instanceof NotFound) return wireError(404, 'Not Found');
  if (err instanceof Gone) return wireError(410, 'Gone');
  if (err instanceof ValidationFailed) return wireError(400, err.message, err.errors);
  if (err instanceof RuleViolation) return wireError(400, err.message);
  if (err instanceof Unavailable) return wireError(503, `Service Unavailable: ${err.message}`);
  if (err instanceof Unauthenticated) return wireError(401, err.message || 'Unauthorized');
  if (err instanceof Forbidden) return wireError(403, err.message || 'Forbidden');
  if (err instanceof RateLimited) {
    return {
      ...wireError(429, 'Too Many Requests'),
      headers: { 'retry-after': String(err.retryAfterSeconds) },
    };
  }
  return wireError(500, 'Internal Server Error');
}

interface AjvError {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

function fromAjv(errors: AjvError[], context?: string): FieldErrors {
  // Field names come from the client (`toString`, `__proto__`): no inherited keys to trip over.
  const out: FieldErrors = Object.create(null);
  for (const e of errors) {
    let field = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || context || 'body';
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      field = [field === context || field === 'body' ? '' : field, String(e.params.additionalProperty)]
        .filter(Boolean)
        .join('.');
      message = 'is not a known attribute';
    } else if (e.keyword === 'required') {
      field = [field === context || field === 'body' ? '' : field, String(e.params.missingProperty)]
        .filter(Boolean)
        .join('.');
      message = "can't be blank";
    }
    out[field] = [...(Object.hasOwn(out, field) ? out[field] : []), message];
  }
  return out;
}
