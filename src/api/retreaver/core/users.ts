import { type Static, Type } from 'typebox';
import type { Services } from '../../../services/index.js';
import type { Person, UserInput } from '../../../services/users.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, IdParams, ListQuery, Nullable, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { Users } from './responses.js';

const ReadOnly = Type.Optional(Type.Unknown());
const Text = (max: number) => Type.Optional(Nullable(Type.String({ maxLength: max })));

const UserBody = Type.Object(
  {
    email: Type.Optional(Type.String({ maxLength: 255 })),
    first_name: Text(255),
    last_name: Text(255),
    // Forms and XML send it as text; JSON clients often send a number.
    extension_number: Type.Optional(
      Type.Union([Type.String({ maxLength: 32 }), Type.Integer({ minimum: 0 })]),
    ),
    password: Text(1024),
    phone_number: Text(255),
    agent_number: Text(255),
    can_make_calls: Type.Optional(Type.Boolean()),
    status: Type.Optional(Type.Union([Type.Literal('available'), Type.Literal('unavailable')])),
    // Read-only fields a client may echo back from a GET; accepted and ignored.
    id: ReadOnly,
    created_at: ReadOnly,
    updated_at: ReadOnly,
    deleted_at: ReadOnly,
  },
  { additionalProperties: false },
);
type UserBody = Static<typeof UserBody>;

/** The password is write-only: never shown, not even hashed. */
export function presentUser(p: Person) {
  return {
    user: {
      id: p.id,
      email: p.email,
      first_name: p.first_name,
      last_name: p.last_name,
      extension_number: p.extension_number,
      phone_number: p.phone_number,
      agent_number: p.agent_number,
      can_make_calls: p.can_make_calls === 1,
      status: p.status,
      has_password: p.password_hash !== null,
      created_at: time(p.created_at),
      updated_at: time(p.updated_at),
      ...(p.deleted_at !== null ? { deleted_at: time(p.deleted_at) } : {}),
    },
  };
}

function input(body: unknown): UserInput {
  const {
    id: _i,
    created_at: _c,
    updated_at: _u,
    deleted_at: _d,
    extension_number,
    ...rest
  } = body as UserBody;
  return {
    ...rest,
    ...(extension_number !== undefined ? { extension_number: String(extension_number) } : {}),
  } as UserInput;
}

const tags = ['Users'];
const wrap = { wrap: 'user' };

/** People with phones: RingCentral extensions and CCAI agents (docs/compat.md "Users"). */
export async function userRoutes(app: CoreApp, { users }: Pick<Services, 'users'>) {
  app.get(
    '/users',
    { schema: { response: { 200: Users.list }, tags, summary: 'Get all Users', querystring: ListQuery } },
    async (req, reply) =>
      sendPage(reply, await users.list(req.core.companyId, req.query.page ?? 1), presentUser, 'users'),
  );

  app.post(
    '/users',
    {
      config: wrap,
      schema: {
        response: { 201: Users.one },
        tags,
        summary: 'Create a User',
        description: '`email` and `extension_number` are unique in the company; `password` is write-only.',
        body: UserBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentUser(await users.create(req.core.companyId, input(req.body))), { status: 201 }),
  );

  app.get(
    '/users/:id',
    {
      schema: {
        response: { 200: Users.one },
        tags,
        summary: 'Get a User',
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentUser(await users.get(req.core.companyId, req.params.id))),
  );

  app.put(
    '/users/:id',
    {
      config: wrap,
      schema: {
        response: { 200: Users.one },
        tags,
        summary: 'Update a User',
        params: IdParams,
        body: UserBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentUser(await users.update(req.core.companyId, req.params.id, input(req.body)))),
  );

  app.delete(
    '/users/:id',
    {
      schema: {
        response: { 200: Users.one },
        tags,
        summary: 'Remove a User',
        description: 'Soft delete: their OAuth tokens and JWT credentials are revoked with them.',
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentUser(await users.remove(req.core.companyId, req.params.id))),
  );

  app.post(
    '/users/:id/jwt',
    {
      schema: {
        response: { 201: Users.jwtIssued },
        tags,
        summary: "Issue a JWT credential for RingCentral's JWT grant",
        description: 'The answer is the only time the credential is shown.',
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => {
      const { jwt, createdAt } = await users.issueJwt(req.core.companyId, req.params.id);
      return send(
        reply,
        { jwt: { user_id: req.params.id, token: jwt, created_at: time(createdAt) } },
        {
          status: 201,
        },
      );
    },
  );

  app.delete(
    '/users/:id/jwt',
    {
      schema: {
        response: { 200: Users.jwtRevoked },
        tags,
        summary: "Revoke the User's JWT credentials",
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => {
      const revoked = await users.revokeJwts(req.core.companyId, req.params.id);
      return send(reply, { jwt: { user_id: req.params.id, revoked } });
    },
  );
}
