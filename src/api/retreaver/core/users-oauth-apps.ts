import { Type } from 'typebox';
import type { Services } from '../../../services/index.js';
import type { OauthApp } from '../../../services/oauth.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, IdParams, ListQuery, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { OauthApps } from './responses.js';

const OauthAppBody = Type.Object(
  { name: Type.Optional(Type.String({ maxLength: 255 })) },
  { additionalProperties: true },
);

export function presentOauthApp(a: OauthApp, secret?: string) {
  return {
    oauth_app: {
      id: a.id,
      name: a.name,
      client_id: a.client_id,
      ...(secret !== undefined ? { client_secret: secret } : {}),
      created_at: time(a.created_at),
      ...(a.deleted_at !== null ? { deleted_at: time(a.deleted_at) } : {}),
    },
  };
}

const tags = ['OAuth apps'];

/** OAuth clients of the RingCentral face (`client_id` / `client_secret` for HTTP Basic at /restapi/oauth/token). */
export async function oauthAppRoutes(app: CoreApp, { oauth }: Pick<Services, 'oauth'>) {
  app.get(
    '/oauth_apps',
    {
      schema: {
        response: { 200: OauthApps.list },
        tags,
        summary: 'Get all OAuth apps',
        querystring: ListQuery,
      },
    },
    async (req, reply) =>
      sendPage(
        reply,
        await oauth.listApps(req.core.companyId, req.query.page ?? 1),
        (a) => presentOauthApp(a),
        'oauth_apps',
      ),
  );

  app.post(
    '/oauth_apps',
    {
      config: { wrap: 'oauth_app' },
      schema: {
        response: { 201: OauthApps.created },
        tags,
        summary: 'Create an OAuth app',
        description: 'The answer is the only time `client_secret` is shown.',
        body: OauthAppBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => {
      const { app: created, secret } = await oauth.createApp(
        req.core.companyId,
        (req.body as { name?: string }).name,
      );
      return send(reply, presentOauthApp(created, secret), { status: 201 });
    },
  );

  app.get(
    '/oauth_apps/:id',
    {
      schema: {
        response: { 200: OauthApps.one },
        tags,
        summary: 'Get an OAuth app',
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentOauthApp(await oauth.getApp(req.core.companyId, req.params.id))),
  );

  app.delete(
    '/oauth_apps/:id',
    {
      schema: {
        response: { 200: OauthApps.one },
        tags,
        summary: 'Delete an OAuth app',
        description: 'Every token it issued is revoked.',
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentOauthApp(await oauth.removeApp(req.core.companyId, req.params.id))),
  );
}
