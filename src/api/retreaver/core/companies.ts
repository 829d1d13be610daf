import { type Static, Type } from 'typebox';
import type { Company, CompanyInput } from '../../../services/companies.js';
import type { Services } from '../../../services/index.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, IdParams, ListQuery, Nullable, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { Companies } from './responses.js';

const CompanyBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 255 })),
    default_click_url: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
    default_sale_url: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
    time_zone: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'Reports cut days in this zone (a target time_zone name); default UTC.',
      }),
    ),
    // Read-only fields a client may echo back from a GET; accepted and ignored.
    id: Type.Optional(Type.Unknown()),
    created_at: Type.Optional(Type.Unknown()),
    updated_at: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
type CompanyBody = Static<typeof CompanyBody>;

export function presentCompany(c: Company) {
  return {
    company: {
      id: c.id,
      name: c.name,
      default_click_url: c.default_click_url,
      default_sale_url: c.default_sale_url,
      time_zone: c.time_zone,
      created_at: time(c.created_at),
      updated_at: time(c.updated_at),
    },
  };
}

const input = (body: unknown): CompanyInput => {
  const { id: _id, created_at: _c, updated_at: _u, ...rest } = body as CompanyBody;
  return rest;
};

const tags = ['Companies'];

export async function companyRoutes(app: CoreApp, { companies }: Pick<Services, 'companies'>) {
  // The company a request without company_id acts on (or the one company_id names).
  app.get(
    '/company',
    {
      schema: {
        response: { 200: Companies.one },
        tags,
        summary: 'Get the active Company',
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentCompany(await companies.get(req.core.principal, req.core.companyId))),
  );

  app.get(
    '/companies',
    {
      schema: {
        response: { 200: Companies.list },
        tags,
        summary: 'Get all Companies',
        querystring: ListQuery,
      },
    },
    async (req, reply) =>
      sendPage(
        reply,
        await companies.list(req.core.principal, req.query.page ?? 1),
        presentCompany,
        'companies',
      ),
  );

  app.post(
    '/companies',
    {
      config: { wrap: 'company' },
      schema: {
        response: { 201: Companies.one },
        tags,
        summary: 'Create a Company',
        body: CompanyBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentCompany(await companies.create(req.core.principal, input(req.body))), {
        status: 201,
      }),
  );

  const params = IdParams;
  app.get(
    '/companies/:id',
    {
      schema: {
        response: { 200: Companies.one },
        tags,
        summary: 'Get a specific Company',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentCompany(await companies.get(req.core.principal, req.params.id))),
  );

  app.put(
    '/companies/:id',
    {
      config: { wrap: 'company' },
      schema: {
        response: { 200: Companies.one },
        tags,
        summary: 'Update a Company',
        params,
        body: CompanyBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentCompany(await companies.update(req.core.principal, req.params.id, input(req.body)))),
  );

  app.delete(
    '/companies/:id',
    {
      schema: {
        response: { 200: Companies.one },
        tags,
        summary: 'Remove a Company',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentCompany(await companies.remove(req.core.principal, req.params.id))),
  );
}
