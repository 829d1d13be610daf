import { type Static, Type } from 'typebox';
import type { CampaignRef } from '../../../services/campaigns.js';
import type { Services } from '../../../services/index.js';
import { WEBHOOK_EVENTS, type Webhook, type WebhookInput } from '../../../services/webhooks.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, ListQuery, Nullable, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { Webhooks } from './responses.js';

/**
 * Campaign webhooks: Retreaver's docs have no such resource, so it is shaped like conversion rules,
 * nested under the campaign by cid. Event names are checked by the service so a bad one is reported
 * with the list of known ones rather than as an enum mismatch per item.
 */
const Url = (description: string) => Type.String({ maxLength: 2048, description });

const WebhookBody = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        maxLength: 255,
        description: 'Shown as `webhook_name` in the call’s fired pixels (required on create).',
      }),
    ),
    url: Type.Optional(Url('Where events are POSTed: an absolute http or https URL (required on create).')),
    fallback_url: Type.Optional(
      Nullable(Url('Tried with the same delivery id once every attempt at `url` has failed; null: none.')),
    ),
    events: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: 10,
        description: `Events to send: any of ${WEBHOOK_EVENTS.join(', ')}; at least one (default ["call_ended"]).`,
      }),
    ),
    // Read-only fields a client may echo back from a GET; accepted and ignored.
    id: Type.Optional(Type.Unknown()),
    created_at: Type.Optional(Type.Unknown()),
    updated_at: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
type WebhookBody = Static<typeof WebhookBody>;

export function presentWebhook(w: Webhook) {
  return {
    webhook: {
      id: w.id,
      name: w.name,
      url: w.url,
      fallback_url: w.fallback_url,
      events: w.events,
      created_at: time(w.created_at),
      updated_at: time(w.updated_at),
    },
  };
}

const input = (body: WebhookBody): WebhookInput => {
  const { name, url, fallback_url, events } = body;
  return { name, url, fallback_url, events };
};

const tags = ['Webhooks'];
const ABOUT =
  'Each event of a call on this campaign that a webhook subscribes to is POSTed to its `url` as JSON ' +
  '(`{"event", "occurred_at", "call": {...}}`), signed with the company webhook secret ' +
  '(`X-Switchboard-Signature: v1=HMAC-SHA256(secret, "<X-Switchboard-Timestamp>.<body>")`, see ' +
  '`GET /company/webhook_secret`), retried with backoff under one `X-Switchboard-Delivery` id, then sent to ' +
  '`fallback_url` if set. Each firing shows in the call’s fired pixels with `webhook_name`. Details: docs/webhooks.md.';

const Params = Type.Object({
  cid: Type.String({ minLength: 1, maxLength: 255, description: 'The campaign cid.' }),
});
const ItemParams = Type.Object({
  cid: Type.String({ minLength: 1, maxLength: 255, description: 'The campaign cid.' }),
  id: Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'The webhook id.' }),
});
const doc = (summary: string, description: string) => ({
  tags,
  summary,
  description: `${description}\n\n${ABOUT}`,
});
const ref = (p: { cid: string }): CampaignRef => String(p.cid);

export async function webhookRoutes(app: CoreApp, { webhooks }: Pick<Services, 'webhooks'>) {
  const url = '/campaigns/cid/:cid/webhooks';
  app.get(
    url,
    {
      schema: {
        response: { 200: Webhooks.list },
        ...doc('Get all Webhooks of a Campaign', 'Lists them, oldest first, 25 per page.'),
        params: Params,
        querystring: ListQuery,
      },
    },
    async (req, reply) =>
      sendPage(
        reply,
        await webhooks.list(req.core.companyId, ref(req.params), req.query.page ?? 1),
        presentWebhook,
        'webhooks',
      ),
  );
  app.post(
    url,
    {
      config: { wrap: 'webhook' },
      schema: {
        response: { 201: Webhooks.one },
        ...doc(
          'Create a Webhook',
          'Adds a webhook to the campaign; it applies from the next event of any call.',
        ),
        params: Params,
        body: WebhookBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => {
      const created = await webhooks.create(
        req.core.companyId,
        ref(req.params),
        input(req.body as WebhookBody),
      );
      return send(reply, presentWebhook(created), { status: 201 });
    },
  );
  app.get(
    `${url}/:id`,
    {
      schema: {
        response: { 200: Webhooks.one },
        ...doc('Get a specific Webhook', 'One webhook of the campaign.'),
        params: ItemParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentWebhook(await webhooks.get(req.core.companyId, ref(req.params), req.params.id))),
  );
  app.put(
    `${url}/:id`,
    {
      config: { wrap: 'webhook' },
      schema: {
        response: { 200: Webhooks.one },
        ...doc(
          'Update a Webhook',
          'Changes the attributes passed in; `fallback_url: null` removes the fallback.',
        ),
        params: ItemParams,
        body: WebhookBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => {
      const updated = await webhooks.update(
        req.core.companyId,
        ref(req.params),
        req.params.id,
        input(req.body as WebhookBody),
      );
      return send(reply, presentWebhook(updated));
    },
  );
  app.delete(
    `${url}/:id`,
    {
      schema: {
        response: { 200: Webhooks.one },
        ...doc(
          'Remove a Webhook',
          'Deletes the webhook and answers it as it was; deliveries already queued are still sent.',
        ),
        params: ItemParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentWebhook(await webhooks.remove(req.core.companyId, ref(req.params), req.params.id))),
  );
}
