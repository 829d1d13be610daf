import type { FastifyReply } from 'fastify';
import { type Static, Type } from 'typebox';
import type { Services } from '../../../services/index.js';
import type { SuppressedView, SuppressionInput } from '../../../services/suppressed-numbers.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, bool, ListQuery, Nullable, time } from './common.js';
import { NumberParams } from './contacts.js';
import type { CoreApp } from './plugin.js';
import { SuppressedNumbers } from './responses.js';

const SuppressionBody = Type.Object(
  {
    can_resubscribe: Type.Optional(Type.Boolean()),
    /** A campaign cid such as "116dc0f6" (numeric cids may come as numbers); null or "" clears it. */
    campaign_id: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    // Read-only fields a client may echo back; accepted and ignored.
    id: Type.Optional(Type.Unknown()),
    number: Type.Optional(Type.Unknown()),
    company_id: Type.Optional(Type.Unknown()),
    affiliate_id: Type.Optional(Type.Unknown()),
    cid: Type.Optional(Type.Unknown()),
    created_at: Type.Optional(Type.Unknown()),
    updated_at: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
type SuppressionBody = Static<typeof SuppressionBody>;

/**
 * A cid as the suppressed-numbers examples type it (`"cid": 159`): a JSON number when it is a plain
 * decimal that survives the round trip (no leading zero, a safe integer), else the string ("0044",
 * "116dc0f6"). The campaign, number and pool examples show cids as strings, and do so here too.
 */
export function cidValue(cid: string): string | number {
  return /^(0|[1-9]\d{0,14})$/.test(cid) ? Number(cid) : cid;
}

/** The list/show shape; `cid` is left out when the entry has no campaign, as in the seed's third example. */
export function presentSuppressed(s: SuppressedView) {
  return {
    suppressed_number: {
      id: s.id,
      number: s.number,
      created_at: time(s.created_at),
      can_resubscribe: bool(s.can_resubscribe),
      company_id: s.company_id,
      ...(s.cid !== null ? { cid: cidValue(s.cid) } : {}),
    },
  };
}

/** The bare record the seed shows for create (and we give for update). */
export function presentSuppressedRecord(s: SuppressedView) {
  return {
    id: s.id,
    company_id: s.company_id,
    affiliate_id: s.affiliate_id,
    campaign_id: s.cid === null ? null : cidValue(s.cid),
    number: s.number,
    created_at: time(s.created_at),
    updated_at: time(s.updated_at),
    can_resubscribe: bool(s.can_resubscribe),
  };
}

/** The deprecated /contact_numbers/:number/suppressed_number shape. */
function presentLegacy(s: SuppressedView) {
  return {
    suppressed_number: {
      id: s.id,
      number: s.number,
      can_resubscribe: bool(s.can_resubscribe),
      created_at: time(s.created_at),
    },
  };
}

const input = (body: unknown): SuppressionInput => {
  const { can_resubscribe, campaign_id } = body as SuppressionBody;
  return { can_resubscribe, campaign_id };
};

const tags = ['Suppressed Numbers'];
const legacy = ['Deprecated'];
const wrap = { wrap: 'suppressed_number' };
const params = NumberParams;
const bareRecord = (reply: FastifyReply, row: SuppressedView, status = 200) =>
  send(reply, presentSuppressedRecord(row), { status, root: 'suppressed_number' });

export async function suppressedNumberRoutes(
  app: CoreApp,
  { suppressedNumbers }: Pick<Services, 'suppressedNumbers'>,
) {
  // Static segments win over :number in find-my-way, so /check never reads as a number.
  app.get(
    '/suppressed_numbers/check',
    {
      schema: {
        response: { 200: SuppressedNumbers.exist },
        tags,
        summary: 'Check whether the Company has any Suppressed Numbers',
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, { suppressed_numbers_exist: await suppressedNumbers.exists(req.core.companyId) }),
  );

  app.get(
    '/suppressed_numbers',
    {
      schema: {
        response: { 200: SuppressedNumbers.list },
        tags,
        summary: 'Get all Suppressed Numbers',
        querystring: ListQuery,
      },
    },
    async (req, reply) =>
      sendPage(
        reply,
        await suppressedNumbers.list(req.core.companyId, req.query.page ?? 1),
        presentSuppressed,
        'suppressed_numbers',
      ),
  );

  app.get(
    '/suppressed_numbers/:number',
    {
      schema: {
        response: { 200: SuppressedNumbers.one },
        tags,
        summary: 'Get a specific Suppressed Number',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentSuppressed(await suppressedNumbers.get(req.core.companyId, req.params.number))),
  );

  app.delete(
    '/suppressed_numbers/:number',
    {
      schema: {
        response: { 200: SuppressedNumbers.one },
        tags,
        summary: 'Delete a Suppressed Number',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentSuppressed(await suppressedNumbers.remove(req.core.companyId, req.params.number))),
  );

  await optionalJsonBody(app, (scope) => declareCreates(scope, suppressedNumbers));

  app.put(
    '/suppressed_numbers/:number',
    {
      config: wrap,
      schema: {
        response: { 200: SuppressedNumbers.record },
        tags,
        summary: 'Update a Suppressed Number',
        params,
        body: SuppressionBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      bareRecord(
        reply,
        await suppressedNumbers.update(req.core.companyId, req.params.number, input(req.body)),
      ),
  );

  await deprecatedRoutes(app, suppressedNumbers);
}

/** The seed's DEPRECATED ROUTES, kept so older clients keep working. */
async function deprecatedRoutes(app: CoreApp, suppressedNumbers: Services['suppressedNumbers']) {
  app.get(
    '/suppression_list/check',
    {
      schema: {
        response: { 200: SuppressedNumbers.listExists },
        tags: legacy,
        summary: 'Check whether you have any Suppressed Numbers',
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, { suppression_list: await suppressedNumbers.exists(req.core.companyId) }),
  );

  app.delete(
    '/contact_numbers/:number/suppressed_number',
    {
      schema: {
        response: { 200: SuppressedNumbers.legacy },
        tags: legacy,
        summary: 'Delete a Contact Number from the Suppression List',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentLegacy(await suppressedNumbers.remove(req.core.companyId, req.params.number))),
  );
}

/** The two POSTs whose whole body is optional (the seed: "simply posting to … would block" the number). */
function declareCreates(scope: CoreApp, suppressedNumbers: Services['suppressedNumbers']) {
  scope.post(
    '/suppressed_numbers/:number',
    {
      config: wrap,
      schema: {
        response: { 200: SuppressedNumbers.record, 201: SuppressedNumbers.record },
        tags,
        summary: 'Create a Suppressed Number',
        params,
        body: SuppressionBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => {
      const { row, created } = await suppressedNumbers.suppress(
        req.core.companyId,
        req.params.number,
        input(req.body),
      );
      return bareRecord(reply, row, created ? 201 : 200);
    },
  );

  scope.post(
    '/contact_numbers/:number/suppressed_number',
    {
      config: wrap,
      schema: {
        response: { 200: SuppressedNumbers.legacy, 201: SuppressedNumbers.legacy },
        tags: legacy,
        summary: 'Suppress a Contact Number by phone number',
        params,
        body: SuppressionBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => {
      const { row, created } = await suppressedNumbers.suppress(
        req.core.companyId,
        req.params.number,
        input(req.body),
      );
      return send(reply, presentLegacy(row), { status: created ? 201 : 200 });
    },
  );
}

/**
 * Clients that always send `Content-Type: application/json` post no body at all here; Fastify's JSON
 * parser refuses an empty body, so in this scope an empty one reads as none and any other goes through
 * Fastify's own (prototype-poisoning-safe) parser.
 */
async function optionalJsonBody(app: CoreApp, declare: (scope: CoreApp) => void): Promise<void> {
  await app.register(async (scope) => {
    const parseJson = scope.getDefaultJsonParser('error', 'error');
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
      return parseJson(req, body as string, done);
    });
    declare(scope as CoreApp);
  });
}
