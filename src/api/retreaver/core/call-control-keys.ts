import { type Static, Type } from 'typebox';
import type { CallControlKey, CallControlKeyInput } from '../../../services/call-control-keys.js';
import type { Services } from '../../../services/index.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, IdParams, ListQuery, Nullable, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { CallControlKeys } from './responses.js';

const OptionalId = Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })));
const ReadOnly = Type.Optional(Type.Unknown());

const CallControlKeyBody = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    target_id: OptionalId,
    target_group_id: OptionalId,
    // Names are checked by the service, which lists the known ones in its message.
    actions: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 })),
    return_timeout_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    // Read-only fields a client may echo back from a GET; accepted and ignored.
    id: ReadOnly,
    key: ReadOnly,
    key_prefix: ReadOnly,
    created_at: ReadOnly,
    revoked_at: ReadOnly,
  },
  { additionalProperties: false },
);
type CallControlKeyBody = Static<typeof CallControlKeyBody>;

export function presentCallControlKey(k: CallControlKey, plain?: string) {
  return {
    call_control_key: {
      id: k.id,
      name: k.name,
      ...(plain === undefined ? {} : { key: plain }),
      key_prefix: k.key_prefix,
      target_id: k.target_id,
      target_group_id: k.target_group_id,
      actions: k.actions,
      return_timeout_seconds: k.return_timeout_seconds,
      created_at: time(k.created_at),
      revoked_at: time(k.revoked_at),
    },
  };
}

const tags = ['Call Control Keys'];

/** Keys for the Call Control API: made and revoked with a Core API key. */
export async function callControlKeyRoutes(
  app: CoreApp,
  { callControlKeys: keys }: Pick<Services, 'callControlKeys'>,
) {
  app.get(
    '/call_control_keys',
    {
      schema: {
        response: { 200: CallControlKeys.list },
        tags,
        summary: 'Get all Call Control keys (revoked ones too)',
        querystring: ListQuery,
      },
    },
    async (req, reply) =>
      sendPage(
        reply,
        await keys.list(req.core.companyId, req.query.page ?? 1),
        (k) => presentCallControlKey(k),
        'call_control_keys',
      ),
  );

  app.post(
    '/call_control_keys',
    {
      config: { wrap: 'call_control_key' },
      schema: {
        response: { 201: CallControlKeys.created },
        tags,
        summary: 'Create a Call Control key',
        description: 'Scoped to one target or one target group. The answer is the only time `key` is shown.',
        body: CallControlKeyBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => {
      const { key, plain } = await keys.create(
        req.core.companyId,
        req.body as CallControlKeyBody as CallControlKeyInput,
      );
      return send(reply, presentCallControlKey(key, plain), { status: 201 });
    },
  );

  app.get(
    '/call_control_keys/:id',
    {
      schema: {
        response: { 200: CallControlKeys.one },
        tags,
        summary: 'Get a Call Control key',
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentCallControlKey(await keys.get(req.core.companyId, req.params.id))),
  );

  app.delete(
    '/call_control_keys/:id',
    {
      schema: {
        response: { 200: CallControlKeys.one },
        tags,
        summary: 'Revoke a Call Control key',
        description: 'Takes effect at once; the key stays listed with its `revoked_at`.',
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentCallControlKey(await keys.revoke(req.core.companyId, req.params.id))),
  );
}
