import type { RateLimiter } from '../../live/live-state.js';
import type { CcaiCallViews } from '../../services/ccai-call-views.js';
import type { CcaiCallService } from '../../services/ccai-calls.js';
import type { Services } from '../../services/index.js';
import { CCAI_RESPONSES, declareResponses } from '../openapi.js';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { callRoutes } from './calls.js';
import { configRoutes } from './config-routes.js';
import { ccaiConventions } from './plugin.js';

export interface CcaiFaceDeps {
  services: Services;
  calls: CcaiCallService;
  views: CcaiCallViews;
  rateLimiter: RateLimiter;
  isMaintenance: () => boolean;
}

/** The CCAI Platform face: `/apps/api/v1/…` and the Manager API's `/manager/api/v1/calls`. */
export async function ccaiFace(app: CoreApp, deps: CcaiFaceDeps): Promise<void> {
  declareResponses(app, CCAI_RESPONSES);
  await ccaiConventions(app, { keys: deps.services.ccaiKeys, ...deps });
  await configRoutes(app, {
    menus: deps.services.ccaiMenus,
    outboundNumbers: deps.services.ccaiOutboundNumbers,
    endUsers: deps.services.ccaiEndUsers,
    users: deps.services.users,
  });
  await callRoutes(app, { calls: deps.calls, views: deps.views });
}
