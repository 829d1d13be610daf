import type { Clock } from '../clock.js';
import type { Db } from '../store/db.js';
import { AccountService } from './accounts.js';
import { AffiliateService } from './affiliates.js';

export interface ServiceDeps {
  db: Db;
  clock: Clock;
  /** Random source for ids, keys and shuffles; injected so tests can pin it. */
  random: () => number;
}

/** Every service of the app, built once from its dependencies. */
export function buildServices(deps: ServiceDeps) {
  return {
    accounts: new AccountService(deps.db, deps.clock),
    affiliates: new AffiliateService(deps.db, deps.clock),
  };
}

export type Services = ReturnType<typeof buildServices>;
