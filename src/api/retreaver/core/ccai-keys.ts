import type { CcaiKey } from '../../../services/ccai-keys.js';
import type { Services } from '../../../services/index.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, IdParams, ListQuery, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { CcaiKeys } from './responses.js';

/** The secret only exists in the create answer; it is stored as a hash. */
export function presentCcaiKey(k: CcaiKey, secret?: string) {
  return {
    ccai_key: {
      id: k.id,
      key: k.key,
      ...(secret === undefined ? {} : { secret }),
      created_at: time(k.created_at),
      revoked_at: time(k.revoked_at),
    },
  };
}

const tags = ['CCAI Keys'];

/** Credentials of the CCAI face (HTTP Basic `key:secret` on `/apps/api/v1` and `/manager/api/v1`). */
export async function ccaiKeyRoutes(app: CoreApp, { ccaiKeys: keys }: Pick<Services, 'ccaiKeys'>) {
  app.get(
    '/ccai_keys',
    {
      schema: {
        tags,
        summary: 'Get all CCAI keys (revoked ones too, never the secret)',
        querystring: ListQuery,
        response: { 200: CcaiKeys.list },
      },
    },
    async (req, reply) =>
      sendPage(
        reply,
        await keys.list(req.core.companyId, req.query.page ?? 1),
        (k) => presentCcaiKey(k),
        'ccai_keys',
      ),
  );
  app.post(
    '/ccai_keys',
    {
      config: { wrap: 'ccai_key' },
      schema: {
        tags,
        summary: 'Create a CCAI key',
        description: 'The answer is the only time `secret` is shown.',
        querystring: AuthQuery,
        response: { 201: CcaiKeys.created },
      },
    },
    async (req, reply) => {
      const { key, secret } = await keys.create(req.core.companyId);
      return send(reply, presentCcaiKey(key, secret), { status: 201 });
    },
  );
  app.delete(
    '/ccai_keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke a CCAI key',
        description: 'Takes effect at once; the key stays listed with its `revoked_at`.',
        params: IdParams,
        querystring: AuthQuery,
        response: { 200: CcaiKeys.one },
      },
    },
    async (req, reply) => send(reply, presentCcaiKey(await keys.revoke(req.core.companyId, req.params.id))),
  );
}
