import type { Services } from '../../../services/index.js';
import type { WebhookSecret } from '../../../services/webhooks.js';
import { send } from '../reply.js';
import { AuthQuery, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { Webhooks } from './responses.js';

export function presentWebhookSecret(s: WebhookSecret) {
  return { webhook_secret: { secret: s.secret, created_at: time(s.created_at) } };
}

const tags = ['Webhooks'];
const VERIFY =
  'Receivers check `X-Switchboard-Signature` = `v1=` + hex HMAC-SHA256(secret, `<X-Switchboard-Timestamp>.<raw body>`) ' +
  'and refuse timestamps more than 5 minutes off (docs/webhooks.md).';

/**
 * The company's webhook signing secret. Anyone with an API key of the company may read it: it is no more
 * powerful than the key itself, and receivers need it to verify what we send.
 */
export async function webhookSecretRoutes(app: CoreApp, { webhooks }: Pick<Services, 'webhooks'>) {
  app.get(
    '/company/webhook_secret',
    {
      schema: {
        response: { 200: Webhooks.secret },
        tags,
        summary: 'Get the webhook signing secret',
        description: `The active company's secret (64 hex characters), made on first use.\n\n${VERIFY}`,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentWebhookSecret(await webhooks.secret(req.core.companyId))),
  );
  app.post(
    '/company/webhook_secret/rotate',
    {
      schema: {
        response: { 200: Webhooks.secret },
        tags,
        summary: 'Rotate the webhook signing secret',
        description:
          'Replaces the secret and answers the new one. The old secret stops signing at once: every attempt from ' +
          'now on, retries of earlier events included, is signed with the new one (requests already on the wire ' +
          'keep the old signature). A receiver that refuses a request during the switch gets it again, newly ' +
          `signed, on the next retry.\n\n${VERIFY}`,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentWebhookSecret(await webhooks.rotateSecret(req.core.companyId))),
  );
}
