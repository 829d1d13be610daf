import { type CallControlCode, CallControlError } from './call-control.js';
import {
  DomainError,
  type FieldErrors,
  Forbidden,
  Gone,
  NodeUnreachable,
  NotFound,
  RuleViolation,
  Unauthenticated,
  Unavailable,
  ValidationFailed,
} from './errors.js';

/** A typed error as it crosses from one node to another (plain JSON). */
export interface WireError {
  name: string;
  message: string;
  fields?: Record<string, unknown>;
}

/**
 * The error a node's command failed with, to be thrown again on the node that forwarded it: the same
 * class, so each face maps it as if the command had run there. Unknown errors stay plain `Error`s (a
 * 500 at the edge, as they would be locally).
 */
export function errorToWire(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const fields: Record<string, unknown> = {};
  if (err instanceof CallControlError) {
    fields.reason = err.reason;
    const errors = (err as { errors?: unknown }).errors;
    if (errors) fields.errors = errors;
  }
  if (err instanceof ValidationFailed) fields.errors = err.errors;
  if (err instanceof NotFound) fields.resource = err.resource;
  if (err instanceof Gone) fields.resource = err.resource;
  if (err instanceof NodeUnreachable) fields.nodeId = err.nodeId;
  return { name: err instanceof DomainError ? err.constructor.name : 'Error', message: err.message, fields };
}

export function errorFromWire(w: WireError): Error {
  const f = w.fields ?? {};
  switch (w.name) {
    case 'CallControlError': {
      const e = new CallControlError(f.reason as CallControlCode);
      if (f.errors) Object.assign(e, { errors: f.errors });
      return e;
    }
    case 'ValidationFailed':
      return new ValidationFailed(f.errors as FieldErrors);
    case 'NotFound':
      return new NotFound(String(f.resource));
    case 'Gone':
      return new Gone(String(f.resource));
    case 'RuleViolation':
      return new RuleViolation(w.message);
    case 'Unauthenticated':
      return new Unauthenticated(w.message);
    case 'Forbidden':
      return new Forbidden(w.message);
    case 'NodeUnreachable':
      return new NodeUnreachable(String(f.nodeId));
    case 'Unavailable':
      return new Unavailable(w.message);
    default:
      return new Error(w.message);
  }
}
