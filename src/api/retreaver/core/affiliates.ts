import { type Static, Type } from 'typebox';
import type { Affiliate, AffiliateRef } from '../../../services/affiliates.js';
import type { Services } from '../../../services/index.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, IdParams, ListQuery, Nullable, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { Affiliates } from './responses.js';

const AffiliateBody = Type.Object(
  {
    afid: Type.Optional(Type.String({ maxLength: 255 })),
    first_name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    last_name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    company_name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    // Read-only fields a client may echo back from a GET; accepted and ignored.
    id: Type.Optional(Type.Unknown()),
    created_at: Type.Optional(Type.Unknown()),
    updated_at: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
type AffiliateBody = Static<typeof AffiliateBody>;

const AfidParams = Type.Object({ afid: Type.String({ minLength: 1, maxLength: 255 }) });

export function presentAffiliate(a: Affiliate) {
  return {
    affiliate: {
      id: a.id,
      afid: a.afid,
      first_name: a.first_name,
      last_name: a.last_name,
      company_name: a.company_name,
      updated_at: time(a.updated_at),
      created_at: time(a.created_at),
    },
  };
}

const tags = ['Affiliates'];

export async function affiliateRoutes(app: CoreApp, { affiliates }: Pick<Services, 'affiliates'>) {
  app.get(
    '/affiliates',
    {
      schema: {
        response: { 200: Affiliates.list },
        tags,
        summary: 'Get all Affiliates',
        querystring: ListQuery,
      },
    },
    async (req, reply) =>
      sendPage(
        reply,
        await affiliates.list(req.core.companyId, req.query.page ?? 1),
        presentAffiliate,
        'affiliates',
      ),
  );

  app.post(
    '/affiliates',
    {
      config: { wrap: 'affiliate' },
      schema: {
        response: { 201: Affiliates.one },
        tags,
        summary: 'Create an Affiliate',
        body: AffiliateBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentAffiliate(await affiliates.create(req.core.companyId, req.body as AffiliateBody)), {
        status: 201,
      }),
  );

  // The same three verbs by afid (the customer's id) and by our internal id.
  const byRef = [
    { url: '/affiliates/afid/:afid', params: AfidParams, ref: (p: any): AffiliateRef => String(p.afid) },
    { url: '/affiliates/:id', params: IdParams, ref: (p: any): AffiliateRef => Number(p.id) },
  ];
  for (const { url, params, ref } of byRef) {
    app.get(
      url,
      {
        schema: {
          response: { 200: Affiliates.one },
          tags,
          summary: 'Get a specific Affiliate',
          params,
          querystring: AuthQuery,
        },
      },
      async (req, reply) =>
        send(reply, presentAffiliate(await affiliates.get(req.core.companyId, ref(req.params)))),
    );
    app.put(
      url,
      {
        config: { wrap: 'affiliate' },
        schema: {
          response: { 200: Affiliates.one },
          tags,
          summary: 'Update an Affiliate',
          params,
          body: AffiliateBody,
          querystring: AuthQuery,
        },
      },
      async (req, reply) =>
        send(
          reply,
          presentAffiliate(
            await affiliates.update(req.core.companyId, ref(req.params), req.body as AffiliateBody),
          ),
        ),
    );
    app.delete(
      url,
      {
        schema: {
          response: { 200: Affiliates.one },
          tags,
          summary: 'Remove an Affiliate',
          params,
          querystring: AuthQuery,
        },
      },
      async (req, reply) =>
        send(reply, presentAffiliate(await affiliates.remove(req.core.companyId, ref(req.params)))),
    );
  }
}
