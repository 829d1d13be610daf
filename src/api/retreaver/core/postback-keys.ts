import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import type { CampaignRef } from '../../../services/campaigns.js';
import type { Services } from '../../../services/index.js';
import type { PostbackKeyInput, PostbackKeyView } from '../../../services/postback-keys.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, ListQuery, Nullable, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { PostbackKeys } from './responses.js';

const Flag = (description: string) => Type.Optional(Type.Boolean({ description }));
const Percent = (description: string) =>
  Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description }));
const Limit = (description: string) =>
  Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 2_147_483_647, description })));

const FLAGS = [
  'ping_shield',
  'return_dba',
  'add_to_caps_on_status_reserved',
  'route_only_to_reserved_target',
  'allow_no_caller_number',
  'paused',
];
/** Fields whose blank means "none". */
const NULLABLE = [
  'name',
  'tag_prefix',
  'inbound_number',
  'number_pool_id',
  'ping_shield_outbound_count_limit',
  'ping_shield_outbound_ms_limit',
];

/**
 * Retreaver's client sends flags as 0/1 and leaves fields blank with "": flags become booleans, a blank
 * nullable field null, and a blank field with a default is left out (the default applies).
 */
export async function normalizeKeyEncodings(request: FastifyRequest): Promise<void> {
  const body = request.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return;
  for (const [k, v] of Object.entries(body)) {
    if (FLAGS.includes(k) && (v === 0 || v === 1 || v === '0' || v === '1')) body[k] = v === 1 || v === '1';
    else if (v === '' && FLAGS.includes(k)) delete body[k];
    else if (v === '' && NULLABLE.includes(k)) body[k] = null;
    else if (v === '' && k !== 'required_tags') delete body[k];
  }
  if (body.ttl_seconds !== undefined && body.reservation_seconds === undefined)
    body.reservation_seconds = body.ttl_seconds;
}

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
    // Retreaver's key form (docs/compat.md "Postback-key options").
    action: Type.Optional(
      Type.Union([Type.Literal('rtb'), Type.Literal('data_writing')], {
        description: 'What the key is for: "rtb" (pings) or "data_writing"; either key works for both.',
      }),
    ),
    ttl_seconds: Type.Optional(
      Type.Integer({ minimum: 5, maximum: 86_400, description: 'Same as reservation_seconds.' }),
    ),
    tag_prefix: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 32,
          pattern: '^[A-Za-z0-9_.-]*$',
          description: 'Prefixes the names of the tags a ping sets.',
        }),
      ),
    ),
    timeout: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 30,
        description: 'Seconds a ping may take choosing a buyer; slower answers say no-target (default 3.0).',
      }),
    ),
    inbound_number: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 32,
          description: 'A static number of the campaign reserved when a ping names none.',
        }),
      ),
    ),
    return_dba: Flag('Stored and shown (Retreaver adds the buyer’s doing-business-as name; we have none).'),
    add_to_caps_on_status_reserved: Flag('A live reservation counts toward its buyer’s concurrency.'),
    route_only_to_reserved_target: Flag('A claiming call is sent to the reserved buyer only.'),
    allow_no_caller_number: Flag('Pings may leave caller_number out.'),
    paused: Flag('Pings answer status "paused" and reserve nothing.'),
    claim_percent_threshold: Percent('Stored and shown (default 10).'),
    blocked_inbound_percent: Percent('Stored and shown (default 50).'),
    ping_shield_outbound_count_limit: Limit('Stored and shown.'),
    ping_shield_outbound_ms_limit: Limit('Stored and shown.'),
    // Read-only fields a client may echo back from a GET; accepted and ignored.
    id: Type.Optional(Type.Unknown()),
    key: Type.Optional(Type.Unknown()),
    cid: Type.Optional(Type.Unknown()),
    rtb_url: Type.Optional(Type.Unknown()),
    reservation_url: Type.Optional(Type.Unknown()),
    data_writing_url: Type.Optional(Type.Unknown()),
    created_at: Type.Optional(Type.Unknown()),
    updated_at: Type.Optional(Type.Unknown()),
    revoked_at: Type.Optional(Type.Unknown()),
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
      action: k.action,
      reservation_seconds: k.reservation_seconds,
      ttl_seconds: k.reservation_seconds,
      ping_shield: k.ping_shield === 1,
      number_pool_id: k.number_pool_id,
      tag_prefix: k.tag_prefix,
      timeout: k.timeout_ms / 1000,
      inbound_number: k.inbound_number,
      return_dba: k.return_dba === 1,
      add_to_caps_on_status_reserved: k.add_to_caps_on_status_reserved === 1,
      route_only_to_reserved_target: k.route_only_to_reserved_target === 1,
      allow_no_caller_number: k.allow_no_caller_number === 1,
      paused: k.paused === 1,
      claim_percent_threshold: k.claim_percent_threshold,
      blocked_inbound_percent: k.blocked_inbound_percent,
      ping_shield_outbound_count_limit: k.ping_shield_outbound_count_limit,
      ping_shield_outbound_ms_limit: k.ping_shield_outbound_ms_limit,
      rtb_url: `${base}/rtbs.json?key=${key}&publisher_id=[publisher_id]&caller_number=[caller_number]${tags}`,
      reservation_url: `${base}/call_reservations.json?key=${key}&affiliate_id=[publisher_id]&caller_number=[caller_number]${tags}`,
      data_writing_url: `${base}/data_writing/${key}?caller_number=[caller_number]`,
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
          response: { 200: PostbackKeys.list },
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
        preValidation: normalizeKeyEncodings,
        schema: {
          response: { 201: PostbackKeys.one },
          tags,
          summary: 'Issue a Postback Key',
          params: listParams,
          body: PostbackKeyBody,
          querystring: AuthQuery,
        },
      },
      async (req, reply) => {
        const k = await postbackKeys.create(req.core.companyId, ref(req.params), keyInput(req.body));
        return send(reply, presentPostbackKey(k, req), { status: 201 });
      },
    );
    app.put(
      `${url}/:key_id`,
      {
        config: { wrap: 'postback_key' },
        preValidation: normalizeKeyEncodings,
        schema: {
          response: { 200: PostbackKeys.one },
          tags,
          summary: 'Change a Postback Key',
          params,
          body: PostbackKeyBody,
          querystring: AuthQuery,
        },
      },
      async (req, reply) => {
        const id = Number((req.params as any).key_id);
        const k = await postbackKeys.update(req.core.companyId, ref(req.params), id, keyInput(req.body));
        return send(reply, presentPostbackKey(k, req));
      },
    );
    app.get(
      `${url}/:key_id`,
      {
        schema: {
          response: { 200: PostbackKeys.one },
          tags,
          summary: 'Get a Postback Key',
          params,
          querystring: AuthQuery,
        },
      },
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
      {
        schema: {
          response: { 200: PostbackKeys.one },
          tags,
          summary: 'Revoke a Postback Key',
          params,
          querystring: AuthQuery,
        },
      },
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

/** The writable fields (echoed read-only ones dropped); `ttl_seconds` was folded into reservation_seconds. */
function keyInput(body: unknown): PostbackKeyInput {
  const {
    id: _id,
    key: _key,
    cid: _cid,
    rtb_url: _r,
    reservation_url: _u,
    data_writing_url: _d,
    created_at: _c,
    updated_at: _up,
    revoked_at: _rv,
    ttl_seconds: _ttl,
    ...input
  } = body as PostbackKeyBody;
  return input as PostbackKeyInput;
}
