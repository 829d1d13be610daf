import { describe, expect, it } from 'vitest';
import { toRcError } from '../../../src/api/ringcentral/errors.js';
import { CallControlError } from '../../../src/domain/call-control.js';
import { DriverError } from '../../../src/telephony/driver.js';

/** The RingCentral face's one error mapping: typed errors become its own shape and a 4xx, never a 500. */
describe('RingCentral error mapping', () => {
  it('a unique index refusing a write (a race past the up-front check) is the check’s 400', () => {
    const pg = Object.assign(new Error('duplicate key value violates unique constraint "people_email"'), {
      code: '23505',
      detail: 'Key (company_id, email_key)=(1, tom@example.com) already exists.',
    });
    const sqlite = Object.assign(new Error('UNIQUE constraint failed: people.company_id, people.email_key'), {
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
    for (const err of [pg, sqlite]) {
      const wire = toRcError(err);
      expect(wire.status).toBe(400);
      expect(wire.body).toEqual({
        errorCode: 'CMN-101',
        message: 'Parameter [email] value is invalid: has already been taken',
        errors: [
          {
            errorCode: 'CMN-101',
            message: 'Parameter [email] value is invalid: has already been taken',
            parameterName: 'email',
          },
        ],
      });
    }
  });

  it('other constraint failures stay loud (500): they are bugs', () => {
    const fk = Object.assign(new Error('FOREIGN KEY constraint failed'), {
      code: 'SQLITE_CONSTRAINT_FOREIGNKEY',
    });
    expect(toRcError(fk).status).toBe(500);
  });

  it('call-control reasons keep their meaning: state 409, scope 403, unknown 404, bad number 400, network 502', () => {
    const status = (reason: ConstructorParameters<typeof CallControlError>[0]) =>
      toRcError(new CallControlError(reason)).status;
    expect(status('call not live')).toBe(409);
    expect(status('caller not held')).toBe(409);
    expect(status('not authorized')).toBe(403);
    expect(status('transfer not found')).toBe(404);
    expect(status('cannot dial transfer_to number')).toBe(400);
    expect(status('telephony failure')).toBe(502);
    expect(toRcError(new DriverError('hold', 'timeout')).status).toBe(502);
    expect(toRcError(new DriverError('hold', 'timeout')).body.errorCode).toBe('TAS-502');
  });
});
