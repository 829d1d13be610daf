import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { IssuedTokens, OAuthService } from '../../services/oauth.js';
import { OAuthError } from '../../services/oauth.js';
import { OAuthErrorBody, RcError } from '../openapi.js';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { TokenAnswer } from './responses.js';

/** Every permission this face knows: a token reaches all of its extension's account. */
export const SCOPE =
  'ReadAccounts ReadPresence CallControl TelephonySessions RingOut SubscriptionWebhook SubscriptionWebSocket';

const TokenBody = Type.Object(
  {
    grant_type: Type.Optional(Type.String({ maxLength: 100 })),
    username: Type.Optional(Type.String({ maxLength: 255 })),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    extension: Type.Optional(Type.String({ maxLength: 32 })),
    assertion: Type.Optional(Type.String({ maxLength: 8192 })),
    refresh_token: Type.Optional(Type.String({ maxLength: 1024 })),
    endpoint_id: Type.Optional(Type.String({ maxLength: 255 })),
  },
  { additionalProperties: true },
);

function basicClient(request: FastifyRequest): { id?: string; secret?: string } {
  const auth = request.headers.authorization ?? '';
  const m = /^Basic\s+(\S+)$/i.exec(auth.trim());
  if (!m) return {};
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i === -1 ? {} : { id: decoded.slice(0, i), secret: decoded.slice(i + 1) };
}

export function presentTokens(t: IssuedTokens, endpointId: string | undefined) {
  return {
    access_token: t.accessToken,
    token_type: 'bearer',
    expires_in: t.expiresIn,
    refresh_token: t.refreshToken,
    refresh_token_expires_in: t.refreshExpiresIn,
    scope: SCOPE,
    owner_id: String(t.person.id),
    endpoint_id: endpointId || `sb-${t.tokenId}`,
    session_id: String(t.tokenId),
  };
}

/** `POST /restapi/oauth/token` and `/revoke`, form-encoded with the client's HTTP Basic credentials. */
export async function oauthRoutes(app: CoreApp, oauth: OAuthService) {
  const schema = {
    tags: ['RingCentral OAuth'],
    body: TokenBody,
    response: {
      // OAuth's shape for grants and credentials; RingCentral's for a body that fails its schema.
      400: Type.Union([OAuthErrorBody, RcError], {
        description: 'A missing or wrong parameter, grant or credential',
      }),
      401: { ...OAuthErrorBody, description: 'Unknown client (HTTP Basic)' },
    },
  };
  app.post(
    '/oauth/token',
    {
      config: { rcPublic: true },
      schema: {
        ...schema,
        summary: 'Get a token (password, JWT, refresh_token)',
        response: { ...schema.response, 200: TokenAnswer },
      },
    },
    async (req, reply) => {
      const client = basicClient(req);
      const appRow = await oauth.client(client.id, client.secret);
      const b = (req.body ?? {}) as Record<string, string | undefined>;
      const need = (field: string) => {
        const v = b[field];
        if (typeof v !== 'string' || v === '')
          throw new OAuthError('invalid_request', `Parameter [${field}] is required`, 'OAU-101');
        return v;
      };
      let tokens: IssuedTokens;
      switch (b.grant_type) {
        case 'password':
          tokens = await oauth.passwordGrant(
            appRow,
            need('username'),
            need('password'),
            b.extension || undefined,
          );
          break;
        case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
          tokens = await oauth.jwtGrant(appRow, need('assertion'));
          break;
        case 'refresh_token':
          tokens = await oauth.refreshGrant(appRow, need('refresh_token'));
          break;
        case undefined:
        case '':
          throw new OAuthError('invalid_request', 'Parameter [grant_type] is required', 'OAU-101');
        default:
          throw new OAuthError('unsupported_grant_type', 'Unsupported grant type', 'OAU-250');
      }
      return reply.header('cache-control', 'no-store').send(presentTokens(tokens, b.endpoint_id));
    },
  );

  app.post(
    '/oauth/revoke',
    {
      config: { rcPublic: true },
      schema: {
        ...schema,
        summary: 'Revoke a token (access or refresh)',
        response: { ...schema.response, 200: { description: 'Revoked (no body)' } },
      },
    },
    async (req, reply) => {
      const client = basicClient(req);
      await oauth.client(client.id, client.secret);
      const b = (req.body ?? {}) as Record<string, string | undefined>;
      const token = b.token ?? (req.query as Record<string, string | undefined>).token;
      if (!token) throw new OAuthError('invalid_request', 'Parameter [token] is required', 'OAU-101');
      await oauth.revoke(token);
      return reply.code(200).send();
    },
  );
}
