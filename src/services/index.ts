import type { Clock } from '../clock.js';
import type { CallPlacer } from '../domain/placed-call.js';
import type { LiveState } from '../live/live-state.js';
import { localLiveState } from '../live/local/index.js';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import type { Dialect } from '../store/migrations/kit.js';
import { AccountService } from './accounts.js';
import { AffiliateService } from './affiliates.js';
import { ApiKeyService } from './api-keys.js';
import { CallControlKeyService } from './call-control-keys.js';
import { CallFlowRecorder } from './call-flow.js';
import { CallService } from './calls.js';
import { CampaignService } from './campaigns.js';
import { CcaiCallViews } from './ccai-call-views.js';
import { CcaiCallService } from './ccai-calls.js';
import { CcaiEndUserService } from './ccai-end-users.js';
import { CcaiKeyService } from './ccai-keys.js';
import { CcaiMenuService } from './ccai-menus.js';
import { CcaiOutboundNumberService } from './ccai-outbound-numbers.js';
import { CcaiTransferViews } from './ccai-transfers.js';
import { CompanyService } from './companies.js';
import { ContactService } from './contacts.js';
import { ConversionRuleService } from './conversion-rules.js';
import { DataWritingService } from './data-writing.js';
import { LiveBoardService } from './live-board.js';
import { NumberPoolService } from './number-pools.js';
import { NumberService } from './numbers.js';
import { OAuthService } from './oauth.js';
import { PostbackKeyService } from './postback-keys.js';
import { ReportRollups } from './report-rollups.js';
import { ReportService } from './reports.js';
import { ReservationService } from './reservations.js';
import { RtbService } from './rtb.js';
import { StaticCallerNumberService } from './static-caller-numbers.js';
import { SuppressedNumberService } from './suppressed-numbers.js';
import { TagService } from './tags.js';
import { TargetGroupService } from './target-groups.js';
import { TargetService } from './targets.js';
import { TelephonySessionService } from './telephony-sessions.js';
import { UserService } from './users.js';
import { WebhookService } from './webhooks.js';

export interface ServiceDeps {
  db: Db;
  clock: Clock;
  /** Random source for ids, keys and shuffles; injected so tests can pin it. */
  random: () => number;
  /** Leases, locks and counts of live calls; a private in-process one in tools that run without the engine. */
  live?: LiveState;
  /** Which SQL engine `db` is (reports lock per company on PostgreSQL); SQLite when absent. */
  dialect?: Dialect;
}

/** Every service of the app, built once from its dependencies. */
export function buildServices(deps: ServiceDeps) {
  const affiliates = new AffiliateService(deps.db, deps.clock);
  const live = deps.live ?? localLiveState(deps.clock, 'tools');
  const inProgress = async (owner: 'target' | 'target_group', ids: readonly number[]) => {
    const counts = await live.leases.counts(ids.map((id) => `${owner}:${id}` as const));
    return new Map(ids.map((id) => [id, counts.get(`${owner}:${id}`) ?? 0]));
  };
  const campaigns = new CampaignService(deps.db, deps.clock, deps.random);
  const conversionRules = new ConversionRuleService(deps.db, deps.clock, campaigns);
  const apiKeys = new ApiKeyService(deps.db, deps.clock);
  const users = new UserService(deps.db, deps.clock);
  return {
    accounts: new AccountService(deps.db, deps.clock, apiKeys),
    apiKeys,
    affiliates,
    campaigns,
    conversionRules,
    numbers: new NumberService(deps.db, deps.clock, deps.random, affiliates, campaigns),
    numberPools: new NumberPoolService(deps.db, deps.clock, deps.random, campaigns),
    companies: new CompanyService(deps.db, deps.clock),
    contacts: new ContactService(deps.db, deps.clock),
    suppressedNumbers: new SuppressedNumberService(deps.db, deps.clock),
    staticCallerNumbers: new StaticCallerNumberService(deps.db, deps.clock),
    targets: new TargetService(deps.db, deps.clock, inProgress),
    targetGroups: new TargetGroupService(deps.db, deps.clock, inProgress),
    calls: new CallService(deps.db, deps.clock),
    callFlow: new CallFlowRecorder(deps.db),
    callControlKeys: new CallControlKeyService(deps.db, deps.clock),
    webhooks: new WebhookService(deps.db, deps.clock, campaigns),
    ...reportServices(deps),
    tags: new TagService(deps.db, deps.clock),
    liveBoard: new LiveBoardService(deps.db, deps.clock),
    users,
    oauth: new OAuthService(deps.db, deps.clock, users),
    telephonySessions: new TelephonySessionService(deps.db, users),
    ...rtbServices({ ...deps, live }, campaigns, conversionRules),
    ...ccaiServices(deps),
  };
}

/** The CCAI face's keys and contact-center configuration (its calls need the engine: built in the app). */
function ccaiServices(deps: ServiceDeps) {
  return {
    ccaiKeys: new CcaiKeyService(deps.db, deps.clock),
    ccaiMenus: new CcaiMenuService(deps.db, deps.clock),
    ccaiOutboundNumbers: new CcaiOutboundNumberService(deps.db, deps.clock),
    ccaiEndUsers: new CcaiEndUserService(deps.db, deps.clock),
  };
}

export type Services = ReturnType<typeof buildServices>;

/** Reports and the day rollups they read (src/services/report-rollups.ts; its sweeper runs in the app). */
function reportServices(deps: ServiceDeps) {
  const reportRollups = new ReportRollups(deps.db, deps.dialect ?? 'sqlite', deps.clock);
  return { reportRollups, reports: new ReportService(deps.db, reportRollups) };
}

/** Postback keys, reservations and real-time bidding (src/services/rtb.ts). */
function rtbServices(
  deps: ServiceDeps & { live: LiveState },
  campaigns: CampaignService,
  conversionRules: ConversionRuleService,
) {
  const reservations = new ReservationService(deps.db, deps.clock, deps.random, deps.live.locks);
  const rtb = new RtbService(
    deps.db,
    deps.clock,
    deps.random,
    deps.live.leases,
    reservations,
    conversionRules,
  );
  return {
    postbackKeys: new PostbackKeyService(deps.db, deps.clock, campaigns, (key) => rtb.forgetKey(key)),
    reservations,
    rtb,
    dataWriting: new DataWritingService(deps.db, deps.clock, rtb),
  };
}

/** The CCAI face's calls: they place calls through the engine, which the app hands in as a port. */
export function ccaiCallServices(
  services: Services,
  deps: { db: Db; clock: Clock; logger: Logger; placer: CallPlacer },
) {
  const views = new CcaiCallViews(
    deps.db,
    deps.clock,
    services.ccaiMenus,
    services.users,
    services.ccaiEndUsers,
    new CcaiTransferViews(deps.db, deps.clock, services.users),
  );
  const calls = new CcaiCallService({
    ...deps,
    views,
    menus: services.ccaiMenus,
    outboundNumbers: services.ccaiOutboundNumbers,
    endUsers: services.ccaiEndUsers,
  });
  return { calls, views };
}
