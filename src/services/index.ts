import type { Clock } from '../clock.js';
import type { Occupancy } from '../live/occupancy.js';
import type { Db } from '../store/db.js';
import { AccountService } from './accounts.js';
import { AffiliateService } from './affiliates.js';
import { CampaignService } from './campaigns.js';
import { NumberPoolService } from './number-pools.js';
import { NumberService } from './numbers.js';
import { CompanyService } from './companies.js';
import { ContactService } from './contacts.js';
import { StaticCallerNumberService } from './static-caller-numbers.js';
import { SuppressedNumberService } from './suppressed-numbers.js';
import { TargetGroupService } from './target-groups.js';
import { TargetService } from './targets.js';

export interface ServiceDeps {
  db: Db;
  clock: Clock;
  /** Random source for ids, keys and shuffles; injected so tests can pin it. */
  random: () => number;
  /** Live call counters (calls_in_progress); absent in tools that run without the engine. */
  occupancy?: Occupancy;
}

/** Every service of the app, built once from its dependencies. */
export function buildServices(deps: ServiceDeps) {
  const affiliates = new AffiliateService(deps.db, deps.clock);
  const occupancy = deps.occupancy;
  const inProgress = (owner: 'target' | 'target_group', id: number) => occupancy?.inProgress(`${owner}:${id}`) ?? 0;
  const campaigns = new CampaignService(deps.db, deps.clock, deps.random);
  return {
    accounts: new AccountService(deps.db, deps.clock),
    affiliates,
    campaigns,
    numbers: new NumberService(deps.db, deps.clock, deps.random, affiliates, campaigns),
    numberPools: new NumberPoolService(deps.db, deps.clock, deps.random, campaigns),
    companies: new CompanyService(deps.db, deps.clock),
    contacts: new ContactService(deps.db, deps.clock),
    suppressedNumbers: new SuppressedNumberService(deps.db, deps.clock),
    staticCallerNumbers: new StaticCallerNumberService(deps.db, deps.clock),
    targets: new TargetService(deps.db, deps.clock, inProgress),
    targetGroups: new TargetGroupService(deps.db, deps.clock, inProgress),
  };
}

export type Services = ReturnType<typeof buildServices>;
