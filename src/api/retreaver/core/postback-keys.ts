import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import type { CampaignRef } from '../../../services/campaigns.js';
import type { Services } from '../../../services/index.js';
import type { PostbackKeyView } from '../../../services/postback-keys.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, ListQuery, Nullable, time } from './common.js';
import type { CoreApp } from './plugin.js';

/**
 * Postback keys of a campaign (the "Real Time Bidding Postback Key" of the campaign page): the seeds show
 * no API for them, so they are shaped like the other nested resources. Delete revokes the key.
 */
const PostbackKeyBody = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    required_tags: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: 50,
        description: 'Tags every ping must carry (e.g. caller_zip), besides publisher_id and caller_number.',
      }),
    ),
    reservation_seconds: Type.Optional(
      Type.Integer({
        minimum: 5,
        maximum: 86_400,
        description: 'How long a reservation holds its number (default 120).',
      }),
    ),
    ping_shield: Type.Optional(
      Type.Boolean({
        description: 'Answer a repeat ping for a caller with a live reservation from it (default true).',
      }),
    ),
    number_pool_id: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 1,
          maximum: 2_147_483_647,
          description: "Pool to draw numbers from; null: the campaign's pools.",
        }),
      ),
    ),
    // Read-only fields a client may echo back from a GET; accepted and ignored.
    id: Type.Optional(Type.Unknown()),
    key: Type.Optional(Type.Unknown()),
    created_at: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
type PostbackKeyBody = Static<typeof PostbackKeyBody>;

export function presentPostbackKey(k: PostbackKeyView, req: FastifyRequest) {
  const base = `${req.protocol}://${req.host}`;
  const key = encodeURIComponent(k.key);
  const tags = k.required_tags.map((t) => `&${t}=[${t}]`).join('');
  return {
    postback_key: {
      id: k.id,
      key: k.key,
      cid: k.cid,
      name: k.name,
      required_tags: k.required_tags,
      reservation_seconds: k.reservation_seconds,
      ping_shield: k.ping_shield === 1,
      number_pool_id: k.number_pool_id,
      rtb_url: `${base}/rtbs.json?key=${key}&publisher_id=[publisher_id]&caller_number=[caller_number]${tags}`,
      reservation_url: `${base}/call_reservations.json?key=${key}&affiliate_id=[publisher_id]&caller_number=[caller_number]${tags}`,
      created_at: time(k.created_at),
      updated_at: time(k.updated_at),
      revoked_at: time(k.revoked_at),
    },
  };
}

const tags = ['Postback Keys'];
const KeyId = Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'The postback key id.' });
const Cid = Type.String({ minLength: 1, maxLength: 255, description: 'The campaign cid.' });
const CampaignId = Type.Integer({
  minimum: 1,
  maximum: 2_147_483_647,
  description: 'The campaign internal id.',
});

export async function postbackKeyRoutes(app: CoreApp, { postbackKeys }: Pick<Services, 'postbackKeys'>) {
  const ways = [
    { base: '/campaigns/cid/:cid', key: 'cid', campaign: Cid, ref: (p: any): CampaignRef => String(p.cid) },
    { base: '/campaigns/:id', key: 'id', campaign: CampaignId, ref: (p: any): CampaignRef => Number(p.id) },
  ];
  for (const { base, key, campaign, ref } of ways) {
    const listParams = Type.Object({ [key]: campaign });
    const params = Type.Object({ [key]: campaign, key_id: KeyId });
    const url = `${base}/postback_keys`;
    app.get(
      url,
      {
        schema: {
          tags,
          summary: 'Get the live Postback Keys of a Campaign',
          params: listParams,
          querystring: ListQuery,
        },
      },
      async (req, reply) =>
        sendPage(
          reply,
          await postbackKeys.list(req.core.companyId, ref(req.params), req.query.page ?? 1),
          (k) => presentPostbackKey(k, req),
          'postback_keys',
        ),
    );
    app.post(
      url,
      {
        config: { wrap: 'postback_key' },
        schema: {
          tags,
          summary: 'Issue a Postback Key',
          params: listParams,
          body: PostbackKeyBody,
          querystring: AuthQuery,
        },
      },
      async (req, reply) => {
        const { name, required_tags, reservation_seconds, ping_shield, number_pool_id } =
          req.body as PostbackKeyBody;
        const k = await postbackKeys.create(req.core.companyId, ref(req.params), {
          name,
          required_tags,
          reservation_seconds,
          ping_shield,
          number_pool_id,
        });
        return send(reply, presentPostbackKey(k, req), { status: 201 });
      },
    );
    app.get(
      `${url}/:key_id`,
      { schema: { tags, summary: 'Get a Postback Key', params, querystring: AuthQuery } },
      async (req, reply) =>
        send(
          reply,
          presentPostbackKey(
            await postbackKeys.get(req.core.companyId, ref(req.params), Number((req.params as any).key_id)),
            req,
          ),
        ),
    );
    app.delete(
      `${url}/:key_id`,
      { schema: { tags, summary: 'Revoke a Postback Key', params, querystring: AuthQuery } },
      async (req, reply) =>
        send(
          reply,
          presentPostbackKey(
            await postbackKeys.revoke(
              req.core.companyId,
              ref(req.params),
              Number((req.params as any).key_id),
            ),
            req,
          ),
        ),
    );
  }
}
