import { type TSchema, Type } from 'typebox';
import type { CcaiEndUserService } from '../../services/ccai-end-users.js';
import type { CcaiMenuService } from '../../services/ccai-menus.js';
import type { CcaiOutboundNumberService } from '../../services/ccai-outbound-numbers.js';
import type { UserService } from '../../services/users.js';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { sendList } from './plugin.js';
import { presentAgent, presentEndUser, presentMenu, presentOutboundNumber } from './present.js';
import {
  AgentAnswer,
  EndUserSchemas,
  IdParams,
  ListQuery,
  MenuSchemas,
  OutboundNumberSchemas,
} from './schemas.js';

export interface ConfigDeps {
  menus: CcaiMenuService;
  outboundNumbers: CcaiOutboundNumberService;
  endUsers: CcaiEndUserService;
  users: UserService;
}

const page = (q: { page?: number; per?: number }) => [q.page ?? 1, q.per ?? 25] as const;

/** The contact center's configuration: menus, outbound numbers, end users, and the agents (read-only). */
export async function configRoutes(app: CoreApp, deps: ConfigDeps): Promise<void> {
  crud(app, '/apps/api/v1/menus', 'menu', MenuSchemas, deps.menus, presentMenu);
  crud(
    app,
    '/apps/api/v1/outbound_numbers',
    'outbound number',
    OutboundNumberSchemas,
    deps.outboundNumbers,
    presentOutboundNumber,
  );
  crud(app, '/apps/api/v1/end_users', 'end user', EndUserSchemas, deps.endUsers, presentEndUser);

  const tags = ['CCAI agents'];
  app.get(
    '/apps/api/v1/agents',
    {
      schema: {
        tags,
        summary: "The company's users as agents (managed through the Core API's /users.json)",
        querystring: ListQuery,
        response: { 200: Type.Array(AgentAnswer) },
      },
    },
    async (req, reply) => {
      const [p, per] = page(req.query);
      return sendList(reply, await deps.users.pageOf(req.ccai.companyId, p, per), presentAgent);
    },
  );
  app.get(
    '/apps/api/v1/agents/:id',
    { schema: { tags, summary: 'One agent', params: IdParams, response: { 200: AgentAnswer } } },
    async (req) => presentAgent(await deps.users.get(req.ccai.companyId, req.params.id)),
  );
}

/** Request and answer schemas of one configuration resource. */
export interface ResourceSchemas {
  create: TSchema;
  update: TSchema;
  answer: TSchema;
}

/**
 * A configuration resource's service. Method syntax on purpose: each service takes its own input type,
 * which the route's schema has already checked.
 */
interface Resource<T> {
  list(companyId: number, page: number, per: number): Promise<{ rows: T[]; total: number }>;
  get(companyId: number, id: number): Promise<T>;
  create(companyId: number, body: unknown): Promise<T>;
  update(companyId: number, id: number, body: unknown): Promise<T>;
  remove(companyId: number, id: number): Promise<T>;
}

/** The five operations of a configuration resource, alike for all three. */
function crud<T>(
  app: CoreApp,
  path: string,
  what: string,
  schemas: ResourceSchemas,
  service: Resource<T>,
  present: (row: T) => unknown,
): void {
  const tags = [`CCAI ${what}s`];
  const item = `${path}/:id`;
  const idOf = (req: { params: unknown }) => (req.params as { id: number }).id;
  app.get(
    path,
    {
      schema: {
        tags,
        summary: `List ${what}s`,
        querystring: ListQuery,
        response: { 200: Type.Array(schemas.answer) },
      },
    },
    async (req, reply) => {
      const [p, per] = page(req.query as { page?: number; per?: number });
      return sendList(reply, await service.list(req.ccai.companyId, p, per), present);
    },
  );
  app.post(
    path,
    {
      schema: { tags, summary: `Create a ${what}`, body: schemas.create, response: { 201: schemas.answer } },
    },
    async (req, reply) => reply.code(201).send(present(await service.create(req.ccai.companyId, req.body))),
  );
  app.get(
    item,
    { schema: { tags, summary: `Get a ${what}`, params: IdParams, response: { 200: schemas.answer } } },
    async (req) => present(await service.get(req.ccai.companyId, idOf(req))),
  );
  app.patch(
    item,
    {
      schema: {
        tags,
        summary: `Update a ${what}`,
        params: IdParams,
        body: schemas.update,
        response: { 200: schemas.answer },
      },
    },
    async (req) => present(await service.update(req.ccai.companyId, idOf(req), req.body)),
  );
  app.delete(
    item,
    {
      schema: {
        tags,
        summary: `Delete a ${what} (soft delete; the answer shows it deleted)`,
        params: IdParams,
        response: { 200: schemas.answer },
      },
    },
    async (req) => present(await service.remove(req.ccai.companyId, idOf(req))),
  );
}
