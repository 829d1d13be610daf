import type { FastifyInstance } from 'fastify';
import type { PartyControl } from '../../domain/party-control.js';
import type { RateLimiter } from '../../live/live-state.js';
import type { Services } from '../../services/index.js';
import type { RcOriginateService } from '../../services/rc-originate.js';
import type { SubscriptionService } from '../../services/subscriptions.js';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { accountRoutes } from './account.js';
import { oauthRoutes } from './oauth.js';
import { originateRoutes } from './originate.js';
import { rcConventions } from './plugin.js';
import { presenceRoutes } from './presence.js';
import { sessionRoutes } from './sessions.js';
import { subscriptionRoutes } from './subscriptions.js';
import type { WsGateway } from './ws.js';

export interface RingCentralFaceDeps {
  services: Services;
  parties: PartyControl;
  /** Resolves once a call's script waits for the network again (after a party action). */
  settled: (callUuid: string) => Promise<void>;
  /** Calls placed from an extension (call-out, ring-out, conference). */
  originate: RcOriginateService;
  rateLimiter: RateLimiter;
  isMaintenance: () => boolean;
  subscriptions: SubscriptionService;
  ws: WsGateway;
  now: () => number;
  /** The whole app, for REST requests replayed from the WebSocket. */
  root: () => FastifyInstance;
}

/** The RingCentral face under `/restapi` (register with that prefix). */
export async function ringCentralFace(app: CoreApp, deps: RingCentralFaceDeps): Promise<void> {
  await rcConventions(app, deps);
  await oauthRoutes(app, deps.services.oauth);
  await accountRoutes(app, deps.services);
  await presenceRoutes(app, deps.services);
  await sessionRoutes(app, { services: deps.services, parties: deps.parties, settled: deps.settled });
  await originateRoutes(app, {
    originate: deps.originate,
    sessions: deps.services.telephonySessions,
    parties: deps.parties,
    users: deps.services.users,
  });
  await subscriptionRoutes(app, deps);
  await deps.ws.routes(app, deps.root);
}
