import { Type } from 'typebox';
import type { Services } from '../../../services/index.js';
import type { NumberPoolInput, NumberPoolView } from '../../../services/number-pools.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, bool, IdParams, Nullable, PageQuery, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { NumberPools } from './responses.js';

const Echo = Type.Optional(Type.Unknown());

const NumberPoolBody = Type.Object(
  {
    cid: Type.Optional(Type.String({ maxLength: 255 })),
    afid: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    type: Type.Optional(Type.String({ maxLength: 32 })),
    country: Type.Optional(Type.String({ maxLength: 8 })),
    max_pool_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    buffer_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_592_000 })),
    hide_embedded_access: Type.Optional(Type.Boolean()),
    google_analytics: Type.Optional(Type.Boolean()),
    reserve_size: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    // Read-only fields of the representation; accepted and ignored.
    id: Echo,
    numbers_count: Echo,
    google_analytics_paths: Echo,
    created_at: Echo,
    updated_at: Echo,
  },
  { additionalProperties: false },
);

const PoolListQuery = Type.Object(
  { ...PageQuery, cid: Type.Optional(Type.String()), afid: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

export function presentNumberPool(v: NumberPoolView) {
  const p = v.pool;
  const ga = bool(p.google_analytics);
  return {
    number_pool: {
      id: p.id,
      numbers_count: v.numbersCount,
      type: p.type,
      country: p.country,
      max_pool_size: p.max_pool_size,
      buffer_seconds: p.buffer_seconds,
      updated_at: time(p.updated_at),
      created_at: time(p.created_at),
      google_analytics: ga,
      hide_embedded_access: bool(p.hide_embedded_access),
      afid: v.afid,
      cid: v.cid,
      reserve_size: p.reserve_size,
      ...(ga
        ? {
            google_analytics_paths: [
              { name: 'Network timer (always)', path: p.ga_always_path },
              { name: 'Network timer (connect)', path: p.ga_connect_path },
            ],
          }
        : {}),
    },
  };
}

const tags = ['Number Pools'];

export async function numberPoolRoutes(app: CoreApp, { numberPools }: Pick<Services, 'numberPools'>) {
  app.get(
    '/number_pools',
    {
      schema: {
        response: { 200: NumberPools.list },
        tags,
        summary: 'Get all Number Pools',
        querystring: PoolListQuery,
      },
    },
    async (req, reply) => {
      const { cid, afid, page } = req.query;
      return sendPage(
        reply,
        await numberPools.list(req.core.companyId, { cid, afid }, page ?? 1),
        presentNumberPool,
        'number_pools',
      );
    },
  );

  app.post(
    '/number_pools',
    {
      config: { wrap: 'number_pool' },
      schema: {
        response: { 201: NumberPools.one },
        tags,
        summary: 'Create a Number Pool',
        body: NumberPoolBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(
        reply,
        presentNumberPool(await numberPools.create(req.core.companyId, req.body as NumberPoolInput)),
        { status: 201 },
      ),
  );

  const params = IdParams;
  app.get(
    '/number_pools/:id',
    {
      schema: {
        response: { 200: NumberPools.one },
        tags,
        summary: 'Get a specific Number Pool',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentNumberPool(await numberPools.get(req.core.companyId, req.params.id))),
  );
  app.put(
    '/number_pools/:id',
    {
      config: { wrap: 'number_pool' },
      schema: {
        response: { 200: NumberPools.one },
        tags,
        summary: 'Update a Number Pool',
        params,
        body: NumberPoolBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(
        reply,
        presentNumberPool(
          await numberPools.update(req.core.companyId, req.params.id, req.body as NumberPoolInput),
        ),
      ),
  );
  app.delete(
    '/number_pools/:id',
    {
      schema: {
        response: { 200: NumberPools.one },
        tags,
        summary: 'Remove a Number Pool',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentNumberPool(await numberPools.remove(req.core.companyId, req.params.id))),
  );
}
