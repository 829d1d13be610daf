import { Type } from 'typebox';
import type { CcaiEndUserService } from '../../services/ccai-end-users.js';
import type { CcaiMenuService, MenuInput } from '../../services/ccai-menus.js';
import type { CcaiOutboundNumberService } from '../../services/ccai-outbound-numbers.js';
import type { UserService } from '../../services/users.js';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { sendList } from './plugin.js';
import { presentAgent, presentEndUser, presentMenu, presentOutboundNumber } from './present.js';
import {
  AgentAnswer,
  EndUserAnswer,
  EndUserBody,
  IdParams,
  ListQuery,
  MenuAnswer,
  MenuCreate,
  MenuUpdate,
  OutboundNumberAnswer,
  OutboundNumberBody,
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
  const { menus, outboundNumbers, endUsers } = deps;
  crud(app, {
    path: '/apps/api/v1/menus',
    tag: 'CCAI menus',
    what: 'menu',
    create: MenuCreate,
    update: MenuUpdate,
    answer: MenuAnswer,
    list: (c, p, per) => menus.list(c, p, per),
    get: (c, id) => menus.get(c, id),
    add: (c, b) => menus.create(c, b as MenuInput),
    change: (c, id, b) => menus.update(c, id, b as MenuInput),
    remove: (c, id) => menus.remove(c, id),
    present: presentMenu,
  });
  crud(app, {
    path: '/apps/api/v1/outbound_numbers',
    tag: 'CCAI outbound numbers',
    what: 'outbound number',
    create: OutboundNumberBody,
    update: OutboundNumberBody,
    answer: OutboundNumberAnswer,
    list: (c, p, per) => outboundNumbers.list(c, p, per),
    get: (c, id) => outboundNumbers.get(c, id),
    add: (c, b) => outboundNumbers.create(c, b as object),
    change: (c, id, b) => outboundNumbers.update(c, id, b as object),
    remove: (c, id) => outboundNumbers.remove(c, id),
    present: presentOutboundNumber,
  });
  crud(app, {
    path: '/apps/api/v1/end_users',
    tag: 'CCAI end users',
    what: 'end user',
    create: EndUserBody,
    update: EndUserBody,
    answer: EndUserAnswer,
    list: (c, p, per) => endUsers.list(c, p, per),
    get: (c, id) => endUsers.get(c, id),
    add: (c, b) => endUsers.create(c, b as object),
    change: (c, id, b) => endUsers.update(c, id, b as object),
    remove: (c, id) => endUsers.remove(c, id),
    present: presentEndUser,
  });

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

interface Crud<T> {
  path: string;
  tag: string;
  what: string;
  create: import('typebox').TSchema;
  update: import('typebox').TSchema;
  answer: import('typebox').TSchema;
  list(companyId: number, page: number, per: number): Promise<{ rows: T[]; total: number }>;
  get(companyId: number, id: number): Promise<T>;
  add(companyId: number, body: unknown): Promise<T>;
  change(companyId: number, id: number, body: unknown): Promise<T>;
  remove(companyId: number, id: number): Promise<T>;
  present(row: T): unknown;
}

/** The five operations of a configuration resource, alike for all three. */
function crud<T>(app: CoreApp, r: Crud<T>): void {
  const tags = [r.tag];
  const item = `${r.path}/:id`;
  app.get(
    r.path,
    {
      schema: {
        tags,
        summary: `List ${r.what}s`,
        querystring: ListQuery,
        response: { 200: Type.Array(r.answer) },
      },
    },
    async (req, reply) => {
      const [p, per] = page(req.query as { page?: number; per?: number });
      return sendList(reply, await r.list(req.ccai.companyId, p, per), r.present);
    },
  );
  app.post(
    r.path,
    { schema: { tags, summary: `Create a ${r.what}`, body: r.create, response: { 201: r.answer } } },
    async (req, reply) => reply.code(201).send(r.present(await r.add(req.ccai.companyId, req.body))),
  );
  app.get(
    item,
    { schema: { tags, summary: `Get a ${r.what}`, params: IdParams, response: { 200: r.answer } } },
    async (req) => r.present(await r.get(req.ccai.companyId, (req.params as { id: number }).id)),
  );
  app.patch(
    item,
    {
      schema: {
        tags,
        summary: `Update a ${r.what}`,
        params: IdParams,
        body: r.update,
        response: { 200: r.answer },
      },
    },
    async (req) => r.present(await r.change(req.ccai.companyId, (req.params as { id: number }).id, req.body)),
  );
  app.delete(
    item,
    {
      schema: {
        tags,
        summary: `Delete a ${r.what} (soft delete; the answer shows it deleted)`,
        params: IdParams,
        response: { 200: r.answer },
      },
    },
    async (req) => r.present(await r.remove(req.ccai.companyId, (req.params as { id: number }).id)),
  );
}
