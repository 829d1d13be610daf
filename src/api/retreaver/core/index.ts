import type { Services } from '../../../services/index.js';
import { affiliateRoutes } from './affiliates.js';
import { callControlKeyRoutes } from './call-control-keys.js';
import { callRoutes } from './calls.js';
import { callV2Routes } from './calls-v2.js';
import { callV3Routes } from './calls-v3.js';
import { campaignRoutes } from './campaigns.js';
import { companyRoutes } from './companies.js';
import { contactNumberRoutes } from './contact-numbers.js';
import { contactRoutes } from './contacts.js';
import { conversionRuleRoutes } from './conversion-rules.js';
import { numberPoolRoutes } from './number-pools.js';
import { numberRoutes } from './numbers.js';
import type { CoreApp } from './plugin.js';
import { postbackKeyRoutes } from './postback-keys.js';
import { staticCallerNumberRoutes } from './static-caller-numbers.js';
import { suppressedNumberRoutes } from './suppressed-numbers.js';
import { targetGroupRoutes } from './target-groups.js';
import { targetRoutes } from './targets.js';
import { userRoutes } from './users.js';
import { oauthAppRoutes } from './users-oauth-apps.js';
import { webhookSecretRoutes } from './webhook-secret.js';
import { webhookRoutes } from './webhooks.js';

/** Every Retreaver Core API resource; each module declares its own paths. */
export async function registerCoreRoutes(app: CoreApp, services: Services): Promise<void> {
  await affiliateRoutes(app, services);
  await campaignRoutes(app, services);
  await conversionRuleRoutes(app, services);
  await postbackKeyRoutes(app, services);
  await numberRoutes(app, services);
  await numberPoolRoutes(app, services);
  await companyRoutes(app, services);
  await contactRoutes(app, services);
  await contactNumberRoutes(app, services);
  await suppressedNumberRoutes(app, services);
  await staticCallerNumberRoutes(app, services);
  await targetRoutes(app, services);
  await targetGroupRoutes(app, services);
  await callRoutes(app, services);
  await callV2Routes(app, services);
  await callV3Routes(app, services);
  await callControlKeyRoutes(app, services);
  await webhookRoutes(app, services);
  await webhookSecretRoutes(app, services);
  await userRoutes(app, services);
  await oauthAppRoutes(app, services);
}
