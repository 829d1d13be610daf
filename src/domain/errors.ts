/**
 * The one error taxonomy. Services and the engine throw these; each API face maps them to its own wire
 * shape in one place (`api/<face>/errors.ts`).
 */
export type FieldErrors = Record<string, string[]>;

export abstract class DomainError extends Error {
  abstract readonly code: string;
}

/** Unknown id, or an id that belongs to another company: the two are indistinguishable on purpose. */
export class NotFound extends DomainError {
  readonly code = 'not_found';
  constructor(readonly resource: string) {
    super(`${resource} not found`);
  }
}

/** The object existed and was deleted. */
export class Gone extends DomainError {
  readonly code = 'gone';
  constructor(readonly resource: string) {
    super(`${resource} has been deleted`);
  }
}

/** Input that parses but breaks a rule: field by field. */
export class ValidationFailed extends DomainError {
  readonly code = 'validation_failed';
  constructor(readonly errors: FieldErrors) {
    super(
      Object.entries(errors)
        .map(([field, msgs]) => msgs.map((m) => `${field} ${m}`).join(', '))
        .join('; '),
    );
  }
  static field(field: string, message: string): ValidationFailed {
    return new ValidationFailed({ [field]: [message] });
  }
}

/** The request is well formed but the state of things forbids it (deletion rules and the like). */
export class RuleViolation extends DomainError {
  readonly code = 'rule_violation';
}

export class Unauthenticated extends DomainError {
  readonly code = 'unauthenticated';
}

export class Forbidden extends DomainError {
  readonly code = 'forbidden';
}

export class RateLimited extends DomainError {
  readonly code = 'rate_limited';
  constructor(readonly retryAfterSeconds: number) {
    super('Too Many Requests');
  }
}

/** Something the request needs is briefly out of reach (a lock held too long, inventory drawn dry): retry. */
export class Unavailable extends DomainError {
  readonly code: string = 'unavailable';
}

/**
 * The node that owns a live call did not answer a forwarded command in time, or has stopped (its
 * calls are ended by a survivor within the node lease, docs/nodes.md).
 */
export class NodeUnreachable extends Unavailable {
  override readonly code = 'node_unreachable';
  constructor(readonly nodeId: string) {
    super(`the node running this call (${nodeId}) is not answering; try again`);
  }
}
