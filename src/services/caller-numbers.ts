import { NotFound, ValidationFailed } from '../domain/errors.js';
import { normalizePhone } from '../domain/phone.js';
import { isUniqueViolation } from '../store/unique.js';

/** Numbers of callers (contact, suppressed and static caller numbers), normalized by the domain rule. */
export function callerNumber(field: string, raw: string, opts: { allowSip?: boolean } = {}): string {
  return normalizePhone(field, raw, opts);
}

/** A number from a URL path (`+1…`, `1…`, `%2B1…`): one that cannot be a number matches nothing, so 404. */
export function pathNumber(resource: string, raw: string, opts: { allowSip?: boolean } = {}): string {
  try {
    return callerNumber('number', raw, opts);
  } catch {
    throw new NotFound(resource);
  }
}

/** Turns a lost race on a unique number into the same 400 the up-front check gives. */
export function takenOnRace(field: string) {
  return (err: unknown): never => {
    if (isUniqueViolation(err)) throw ValidationFailed.field(field, 'has already been taken');
    throw err;
  };
}
