import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { Forbidden } from '../../../domain/errors.js';
import type { ApiKey } from '../../../services/api-keys.js';
import type { Services } from '../../../services/index.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, IdParams, ListQuery, Nullable, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { ApiKeys } from './responses.js';

const ReadOnly = Type.Optional(Type.Unknown());

const ApiKeyBody = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    // Checked by the service, which lists the known roles in its message.
    role: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
    // Read-only fields a client may echo back from a GET; accepted and ignored.
    id: ReadOnly,
    key: ReadOnly,
    key_prefix: ReadOnly,
    created_at: ReadOnly,
    last_used_at: ReadOnly,
    revoked_at: ReadOnly,
  },
  { additionalProperties: false },
);
type ApiKeyBody = Static<typeof ApiKeyBody>;

export function presentApiKey(k: ApiKey, plain?: string) {
  return {
    api_key: {
      id: k.id,
      name: k.name,
      role: k.role,
      ...(plain === undefined ? {} : { key: plain }),
      key_prefix: k.key_prefix,
      last_used_at: time(k.last_used_at),
      created_at: time(k.created_at),
      revoked_at: time(k.revoked_at),
    },
  };
}

const tags = ['API Keys'];

/** Listing keys is an admin's business too: a read-only key sees the company's data, not its keys. */
const adminOnly = async (req: FastifyRequest) => {
  if (req.core.principal.role !== 'admin')
    throw new Forbidden('Forbidden: only an admin API key manages API keys');
};

/** Core API keys of the company: admins make, list and revoke them (docs/compat.md "API keys"). */
export async function apiKeyRoutes(app: CoreApp, { apiKeys }: Pick<Services, 'apiKeys'>) {
  app.get(
    '/api_keys',
    {
      preHandler: adminOnly,
      schema: {
        response: { 200: ApiKeys.list },
        tags,
        summary: 'Get all API keys (revoked ones too, never the secret)',
        querystring: ListQuery,
      },
    },
    async (req, reply) =>
      sendPage(
        reply,
        await apiKeys.list(req.core.companyId, req.query.page ?? 1),
        (k) => presentApiKey(k),
        'api_keys',
      ),
  );

  app.post(
    '/api_keys',
    {
      preHandler: adminOnly,
      config: { wrap: 'api_key' },
      schema: {
        response: { 201: ApiKeys.created },
        tags,
        summary: 'Create an API key',
        description:
          '`role` is `admin` or `read_only` (the default; read-only keys get 403 on every write). The answer is the only time `key` is shown.',
        body: ApiKeyBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => {
      const { key, plain } = await apiKeys.create(
        req.core.companyId,
        req.core.principal.userId,
        req.body as ApiKeyBody,
      );
      return send(reply, presentApiKey(key, plain), { status: 201 });
    },
  );

  app.get(
    '/api_keys/:id',
    {
      preHandler: adminOnly,
      schema: {
        response: { 200: ApiKeys.one },
        tags,
        summary: 'Get an API key',
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentApiKey(await apiKeys.get(req.core.companyId, req.params.id))),
  );

  app.delete(
    '/api_keys/:id',
    {
      preHandler: adminOnly,
      schema: {
        response: { 200: ApiKeys.one },
        tags,
        summary: 'Revoke an API key',
        description: 'Takes effect at once; the key stays listed with its `revoked_at`.',
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentApiKey(await apiKeys.revoke(req.core.companyId, req.params.id))),
  );
}
