import path from 'node:path';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { sendCcaiError, toCcaiError } from './api/ccai/errors.js';
import { ccaiFace } from './api/ccai/index.js';
import { ccaiNotFound, isCcaiPath } from './api/ccai/plugin.js';
import { liveStreamRoutes } from './api/dashboard/live.js';
import { dashboardStatic } from './api/dashboard/static.js';
import { frameworkErrors, registerEdgeGuards } from './api/edge.js';
import { type AnswerObserver, observeAnswers } from './api/observe.js';
import {
  CALL_CONTROL_RESPONSES,
  CORE_RESPONSES,
  declareResponses,
  RC_RESPONSES,
  RTB_RESPONSES,
  SIM_RESPONSES,
} from './api/openapi.js';
import { RequestLog } from './api/request-log.js';
import { CALL_CONTROL_PREFIX, callControlFace, callControlOf } from './api/retreaver/call-control/plugin.js';
import { errorAnswer, sendAnswer } from './api/retreaver/call-control/present.js';
import { registerCoreRoutes } from './api/retreaver/core/index.js';
import { type CoreApp, coreConventions, notFoundHandler, RouteTable } from './api/retreaver/core/plugin.js';
import { recordingRoutes } from './api/retreaver/core/recordings.js';
import { toWireError, wireError } from './api/retreaver/errors.js';
import { rewriteUrl } from './api/retreaver/format.js';
import { sendError } from './api/retreaver/reply.js';
import { rtbRoutes } from './api/retreaver/rtb.js';
import { toRcError } from './api/ringcentral/errors.js';
import { ringCentralFace } from './api/ringcentral/index.js';
import { notificationBodies } from './api/ringcentral/notifications.js';
import { sendRcError } from './api/ringcentral/plugin.js';
import { WsGateway } from './api/ringcentral/ws.js';
import { simRoutes } from './api/sim/routes.js';
import { type Clock, ManualClock, SystemClock } from './clock.js';
import type { Config } from './config.js';
import { createDelivery } from './delivery/index.js';
import type { CallPlacer } from './domain/placed-call.js';
import { guardedFetchPing } from './engine/dynamic-buyer.js';
import { CallEngine } from './engine/engine.js';
import type { EventBus } from './live/bus.js';
import { type LiveState, rateLimiter } from './live/live-state.js';
import { openLiveState } from './live/open.js';
import { deferredLogger, type Logger } from './logger.js';
import type { CcaiCallService } from './services/ccai-calls.js';
import { buildServices, ccaiCallServices, type Services } from './services/index.js';
import { RcOriginateService } from './services/rc-originate.js';
import { SubscriptionService } from './services/subscriptions.js';
import { SubscriptionNotifier } from './services/subscriptions-notifier.js';
import { guardedValidationProbe } from './services/subscriptions-probe.js';
import { sqlCallStore } from './store/call-store.js';
import { openStore, ping, type Store } from './store/db.js';
import { companyOfTrackingNumber } from './store/lookups.js';
import { SimNetwork } from './telephony/sim/network.js';
import type { SipDriver } from './telephony/sip/driver.js';
import { sipDriverFrom } from './telephony/sip/index.js';

/** Paths of faces other than Retreaver's, which take no `.json` / `.xml` extension. */
const NO_EXTENSION = /^\/(sim|docs|openapi|healthz|restapi|apps|manager)(\/|$)/;

export interface AppOptions {
  config: Config;
  clock?: Clock;
  random?: () => number;
  logger?: FastifyServerOptions['logger'];
  /** Tests use ':memory:' instead of a file under DATA_DIR. */
  sqliteFileOverride?: string;
  /** Sees every answer (tests check each against /openapi.json; see src/api/observe.ts). */
  observeAnswers?: AnswerObserver;
}

/** A route's path as /openapi.json shows it: Retreaver paths with their `.json` extension. */
const docPath = (url: string) => (NO_EXTENSION.test(url) ? url : `${url}.json`);

export interface App {
  http: CoreApp;
  services: Services;
  store: Store;
  clock: Clock;
  sim: SimNetwork;
  /** The real SIP driver, when `SWITCHBOARD_TELEPHONY=sip` (the sim then only serves its own API). */
  sip: SipDriver | undefined;
  engine: CallEngine;
  delivery: ReturnType<typeof createDelivery>;
  bus: EventBus;
  /** Leases, call ownership, locks, idempotency, rate limits, bus: in-process, or on Redis (`REDIS_URL`). */
  live: LiveState;
  /** The CCAI face's calls (scheduled calls armed on the clock). */
  ccaiCalls: CcaiCallService;
  /** RingCentral subscriptions' notifier (tests wait on `idle()`). */
  notifier: SubscriptionNotifier;
  /** Set when the database was created by this start: the first user's key (print it once). */
  bootstrapKey?: { apiKey: string; generated: boolean };
  /**
   * Shutdown's first step: the APIs answer 503, no new sim call may start, `/healthz` says draining;
   * calls already live carry on (their sim routes still answer) until `close`.
   */
  drain(): void;
  /**
   * Stops. `{ abort: true }` stops as a crash would, as far as others can tell: deliveries on the
   * wire are cut off and left in flight, live calls are left as they are (tests of node loss).
   */
  close(opts?: { abort?: boolean }): Promise<void>;
}

export async function buildApp(opts: AppOptions): Promise<App> {
  const { config } = opts;
  const clock = opts.clock ?? (config.clock === 'manual' ? new ManualClock(Date.now()) : new SystemClock());
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    sqliteFile: opts.sqliteFileOverride ?? path.join(config.dataDir, 'switchboard.sqlite'),
  });
  const random = opts.random ?? Math.random;
  // The HTTP server's logger exists only further down; the engine and the delivery worker log through it once it does.
  let serverLog: Logger | undefined;
  const logger = deferredLogger(() => serverLog);
  const live = await openLiveState({
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    nodeId: config.nodeId,
    clock,
    onError: (err) => logger.warn({ err: String(err) }, 'live state (Redis) error'),
  });
  const services = buildServices({ db: store.db, clock, random, live, dialect: store.dialect });
  const bus = live.bus;
  services.callFlow.attach(bus);
  const sim = new SimNetwork(clock);
  const sip = config.sip
    ? sipDriverFrom(config.sip, clock, config.dataDir, async (id) => {
        const row = await store.db
          .selectFrom('audio_files')
          .select('data')
          .where('id', '=', id)
          .executeTakeFirst();
        return row ? Buffer.from(row.data as Uint8Array) : undefined;
      })
    : undefined;
  const delivery = createDelivery({
    db: store.db,
    clock,
    random,
    // Retries wake themselves; the poll only picks up rows other processes wrote. On a manual clock a
    // fast poll would turn every simulated minute into hundreds of queries.
    config: {
      allow: config.deliveryAllow,
      timeoutMs: config.deliveryTimeoutMs,
      pollMs: clock.kind === 'manual' ? 60_000 : 1_000,
      owner: config.nodeId,
    },
    logger,
  });
  const engine = new CallEngine({
    store: sqlCallStore(store.db, delivery.outbox),
    clock,
    driver: sip ?? sim,
    logger,
    maxCallSeconds: config.maxCallSeconds,
    processId: config.nodeId,
    bus,
    live,
    random,
    ratePerMinute: config.callRatePerMinute,
    pixels: { conversionRules: services.conversionRules },
    webhooks: { webhooks: services.webhooks },
    // Pings go where deliveries may (DELIVERY_ALLOW): both are URLs customers wrote.
    fetchPing: guardedFetchPing(delivery.guard),
  });
  sim.attach(engine);
  if (sip) {
    sip.attach(engine);
    await sip.start();
  }
  sim.scopeCallsWith((to) => companyOfTrackingNumber(store.db, to));
  // Alive in the registry first: survivors then leave the calls of this node's previous run to it.
  if (live.shared) await live.calls.heartbeat(clock.now());
  await engine.closeInterrupted();
  // Several nodes: heartbeats in the live-call registry, and ending the calls of nodes that died.
  const stopNodeDuties = live.shared ? engine.startNodeDuties() : () => {};
  const placer: CallPlacer = {
    place: (req) => engine.place(req),
    settled: (uuid) => engine.whenCallIdle(uuid),
  };
  const { calls: ccaiCalls, views: ccaiViews } = ccaiCallServices(services, {
    db: store.db,
    clock,
    logger,
    placer,
  });
  await ccaiCalls.start();
  if (clock instanceof ManualClock) clock.onQuiescence(() => engine.whenIdle());
  const bootstrapKey = await services.accounts.bootstrap(config.apiKey);
  await delivery.worker.start();
  // Keeps report rollups current between reports; tests on the manual clock refresh per report instead.
  const stopReportSweeper =
    clock.kind === 'system' ? services.reportRollups.startSweeper() : () => Promise.resolve();

  let shuttingDown = false;
  const http = Fastify({
    logger: opts.logger ?? { level: config.logLevel },
    logController: new RequestLog(config.slowRequestMs),
    bodyLimit: config.bodyLimitBytes,
    rewriteUrl,
    frameworkErrors: frameworkErrors(
      [
        ['/restapi', (err, reply) => sendRcError(reply, toRcError(err))],
        ['/apps', (err, reply) => sendCcaiError(reply, toCcaiError(err))],
        ['/manager', (err, reply) => sendCcaiError(reply, toCcaiError(err))],
        [CALL_CONTROL_PREFIX, (err, reply) => sendAnswer(reply, errorAnswer(err))],
        ['/sim', (err, reply) => reply.code(toWireError(err).status).send(toWireError(err).body)],
      ],
      (err, reply) => sendError(reply, toWireError(err)),
    ),
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  serverLog = http.log;
  if (opts.observeAnswers) observeAnswers(http, opts.observeAnswers, docPath);
  registerEdgeGuards(http);
  // Requests no face claims (unknown paths, /healthz) answer in the Retreaver shape, as the 404 does.
  http.setErrorHandler((err, request, reply) => {
    const wire = toWireError(err);
    if (wire.status >= 500) request.log.error({ err }, 'request failed');
    return sendError(reply, wire);
  });
  const routes = new RouteTable();
  http.addHook('onRoute', (route) => routes.add(route.method, route.url));
  await http.register(swagger, {
    openapi: {
      info: {
        title: 'Switchboard',
        version: '0.1.0',
        description: 'Retreaver-compatible call routing and control.',
      },
    },
    // Retreaver paths take a format extension; the document shows the JSON one (`.xml` works alike).
    transform: ({ schema, url }) => ({ schema, url: docPath(url) }),
  });
  await http.register(swaggerUi, { routePrefix: '/docs' });
  http.get('/openapi', { schema: { hide: true } }, async () => http.swagger());
  http.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    await ping(store.db);
    if (shuttingDown) return reply.code(503).send({ status: 'draining', live_calls: engine.liveCalls() });
    return reply.send({ status: 'ok' });
  });
  // While draining, nothing new starts on the simulated network; requests about live calls still work.
  http.addHook('onRequest', async (req, reply) => {
    if (!shuttingDown || req.method !== 'POST') return;
    const path = req.url.split('?')[0];
    if (path === '/sim/calls' || path === '/sim/endpoints')
      return reply.code(503).send(wireError(503, 'Service Unavailable: shutting down').body);
  });

  // Each face's scope declares what its operations answer (api/openapi.ts) before its routes exist.
  await http.register(async (core) => {
    declareResponses(core, CORE_RESPONSES);
    await coreConventions(core as CoreApp, {
      accounts: services.accounts,
      rateLimiter: rateLimiter(live.rateLimits, config.rateLimitPerMinute),
      isMaintenance: () => config.maintenance || shuttingDown,
    });
    await registerCoreRoutes(core as CoreApp, services);
    await recordingRoutes(
      core as CoreApp,
      services,
      sip ? { file: (uuid) => sip.recordingFile(uuid) } : { bytes: (uuid) => sim.recordingWav(uuid) },
    );
  });
  await http.register(async (rtbApi) => {
    declareResponses(rtbApi, RTB_RESPONSES);
    await rtbRoutes(rtbApi as CoreApp, {
      rtb: services.rtb,
      dataWriting: services.dataWriting,
      rateLimiter: rateLimiter(live.rateLimits, config.postbackRateLimitPerMinute),
      isMaintenance: () => config.maintenance || shuttingDown,
    });
  });
  await http.register(async (cc) => {
    declareResponses(cc, CALL_CONTROL_RESPONSES);
    await callControlFace(cc as CoreApp, {
      keys: services.callControlKeys,
      callControl: callControlOf(engine),
      idempotency: live.idempotency,
      db: store.db,
      clock,
      rateLimiter: rateLimiter(live.rateLimits, config.rateLimitPerMinute),
      isMaintenance: () => config.maintenance || shuttingDown,
    });
  });
  const rcSubscriptions = new SubscriptionService(store.db, clock, guardedValidationProbe(delivery.guard));
  const wsGateway = new WsGateway(clock);
  const notifier = new SubscriptionNotifier({
    db: store.db,
    clock,
    bus,
    outbox: delivery.outbox,
    sessions: services.telephonySessions,
    subscriptions: rcSubscriptions,
    bodies: notificationBodies(services.telephonySessions, services.users),
    ws: wsGateway,
    shared: live.shared,
  });
  notifier.start();
  await http.register(
    async (rc) => {
      declareResponses(rc, RC_RESPONSES);
      await ringCentralFace(rc as CoreApp, {
        services,
        parties: engine.parties,
        originate: new RcOriginateService({ db: store.db, clock, users: services.users, placer }),
        settled: (uuid) => engine.whenCallIdle(uuid),
        subscriptions: rcSubscriptions,
        ws: wsGateway,
        now: () => clock.now(),
        root: () => http,
        rateLimiter: rateLimiter(live.rateLimits, config.rateLimitPerMinute),
        isMaintenance: () => config.maintenance || shuttingDown,
      });
    },
    { prefix: '/restapi' },
  );
  await http.register(async (ccai) => {
    await ccaiFace(ccai as CoreApp, {
      services,
      calls: ccaiCalls,
      views: ccaiViews,
      rateLimiter: rateLimiter(live.rateLimits, config.ccaiRateLimitPerSecond, 1_000),
      isMaintenance: () => config.maintenance || shuttingDown,
    });
  });
  await http.register(async (simApi) => {
    declareResponses(simApi, SIM_RESPONSES);
    await simRoutes(simApi as CoreApp, { sim, engine, clock, accounts: services.accounts, db: store.db });
  });
  // The web dashboard (web/, docs/dashboard.md): its pages at `/`, and the Live board's event stream.
  await http.register(async (dashboard) => {
    await dashboardStatic(dashboard as CoreApp);
    await liveStreamRoutes(dashboard as CoreApp, {
      accounts: services.accounts,
      liveBoard: services.liveBoard,
      bus,
      now: () => clock.now(),
    });
  });
  const retreaverMiss = notFoundHandler(routes);
  const ccaiMiss = ccaiNotFound(routes);
  http.setNotFoundHandler((req, reply) => (isCcaiPath(req.url) ? ccaiMiss : retreaverMiss)(req, reply));
  await http.ready();

  return {
    http: http as CoreApp,
    services,
    store,
    clock,
    sim,
    sip,
    engine,
    delivery,
    bus,
    live,
    notifier,
    ccaiCalls,
    bootstrapKey,
    drain() {
      shuttingDown = true;
    },
    async close(opts: { abort?: boolean } = {}) {
      const sweeperStopped = stopReportSweeper();
      shuttingDown = true;
      stopNodeDuties();
      notifier.close();
      ccaiCalls.stop();
      await http.close();
      // Notifications already queued finish before the store closes under them.
      await notifier.idle();
      await sip?.stop();
      await delivery.worker.close({ abort: opts.abort });
      await services.callFlow.close();
      await sweeperStopped;
      await live.close();
      await store.close();
    },
  };
}
