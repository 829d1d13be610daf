import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type {
  SubscriptionInput,
  SubscriptionOwner,
  SubscriptionRow,
  SubscriptionService,
} from '../../services/subscriptions.js';
import { filtersOf } from '../../services/subscriptions.js';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { baseUri, bearerToken } from './plugin.js';
import { NoContent, Subscription, SubscriptionList, WsToken } from './responses.js';
import { WS_SESSION_HEADER, type WsGateway } from './ws.js';

const IdParams = Type.Object({ subscriptionId: Type.String({ maxLength: 64 }) });
const Body = Type.Object(
  {
    eventFilters: Type.Optional(Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 100 })),
    deliveryMode: Type.Optional(Type.Object({}, { additionalProperties: true })),
    expiresIn: Type.Optional(Type.Integer()),
  },
  { additionalProperties: true },
);

const owner = (req: FastifyRequest): SubscriptionOwner => ({
  companyId: req.rc.bearer.companyId,
  personId: req.rc.person.id,
});

export function presentSubscription(req: FastifyRequest, row: SubscriptionRow, now: number) {
  return {
    uri: `${baseUri(req)}/subscription/${row.id}`,
    id: row.id,
    creationTime: new Date(row.created_at).toISOString(),
    status: 'Active',
    eventFilters: filtersOf(row),
    expirationTime: new Date(row.expires_at).toISOString(),
    expiresIn: Math.max(0, Math.round((row.expires_at - now) / 1000)),
    deliveryMode:
      row.transport === 'WebHook'
        ? { transportType: 'WebHook', address: row.address, encryption: false }
        : { transportType: 'WebSocket' },
  };
}

const tags = ['RingCentral subscriptions'];

export async function subscriptionRoutes(
  app: CoreApp,
  deps: { subscriptions: SubscriptionService; ws: WsGateway; now: () => number },
) {
  const { subscriptions, ws, now } = deps;
  const present = (req: FastifyRequest, row: SubscriptionRow) => presentSubscription(req, row, now());

  app.post(
    '/oauth/wstoken',
    { schema: { tags, summary: 'Get a WebSocket access token', response: { 200: WsToken } } },
    async (req) => {
      const issued = ws.issueToken(bearerToken(req) ?? '', req.rc.person.id);
      const scheme = req.protocol === 'https' ? 'wss' : 'ws';
      return {
        uri: `${scheme}://${req.host}/restapi/ws`,
        ws_access_token: issued.token,
        expires_in: issued.expiresIn,
      };
    },
  );

  app.post(
    '/v1.0/subscription',
    { schema: { tags, summary: 'Create a subscription', body: Body, response: { 200: Subscription } } },
    async (req) => {
      const header = req.headers[WS_SESSION_HEADER];
      const session = ws.sessionFor(typeof header === 'string' ? header : undefined, req.rc.person.id);
      return present(req, await subscriptions.create(owner(req), req.body as SubscriptionInput, session));
    },
  );

  app.get(
    '/v1.0/subscription',
    { schema: { tags, summary: 'List subscriptions', response: { 200: SubscriptionList } } },
    async (req) => ({
      uri: `${baseUri(req)}/subscription`,
      records: (await subscriptions.list(owner(req))).map((r) => present(req, r)),
    }),
  );

  app.get(
    '/v1.0/subscription/:subscriptionId',
    { schema: { tags, summary: 'Get a subscription', params: IdParams, response: { 200: Subscription } } },
    async (req) => present(req, await subscriptions.get(owner(req), req.params.subscriptionId)),
  );

  app.put(
    '/v1.0/subscription/:subscriptionId',
    {
      schema: {
        tags,
        summary: 'Update a subscription',
        params: IdParams,
        body: Body,
        response: { 200: Subscription },
      },
    },
    async (req) =>
      present(
        req,
        await subscriptions.update(owner(req), req.params.subscriptionId, req.body as SubscriptionInput),
      ),
  );

  app.post(
    '/v1.0/subscription/:subscriptionId/renew',
    { schema: { tags, summary: 'Renew a subscription', params: IdParams, response: { 200: Subscription } } },
    async (req) => present(req, await subscriptions.renew(owner(req), req.params.subscriptionId)),
  );

  app.delete(
    '/v1.0/subscription/:subscriptionId',
    { schema: { tags, summary: 'Cancel a subscription', params: IdParams, response: { 204: NoContent } } },
    async (req, reply) => {
      await subscriptions.remove(owner(req), req.params.subscriptionId);
      return reply.code(204).send();
    },
  );
}
