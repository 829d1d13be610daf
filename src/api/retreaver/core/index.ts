import type { Services } from '../../../services/index.js';
import { affiliateRoutes } from './affiliates.js';
import type { CoreApp } from './plugin.js';

/** Every Retreaver Core API resource; each module declares its own paths. */
export async function registerCoreRoutes(app: CoreApp, services: Services): Promise<void> {
  await affiliateRoutes(app, services);
}
