import { type Static, Type } from 'typebox';
import type { Services } from '../../../services/index.js';
import type { StaticCallerNumber } from '../../../services/static-caller-numbers.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, IdParams, ListQuery, Nullable, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { StaticCallerNumbers } from './responses.js';

const StaticCallerNumberBody = Type.Object(
  {
    number: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    // Read-only fields a client may echo back; accepted and ignored.
    id: Type.Optional(Type.Unknown()),
    created_at: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
type StaticCallerNumberBody = Static<typeof StaticCallerNumberBody>;

export function presentStaticCallerNumber(s: StaticCallerNumber) {
  return { static_caller_number: { id: s.id, number: s.number, created_at: time(s.created_at) } };
}

const tags = ['Static Caller Numbers'];

export async function staticCallerNumberRoutes(
  app: CoreApp,
  { staticCallerNumbers }: Pick<Services, 'staticCallerNumbers'>,
) {
  app.get(
    '/static_caller_numbers',
    {
      schema: {
        response: { 200: StaticCallerNumbers.list },
        tags,
        summary: 'Get all Static Caller Numbers',
        querystring: ListQuery,
      },
    },
    async (req, reply) =>
      sendPage(
        reply,
        await staticCallerNumbers.list(req.core.companyId, req.query.page ?? 1),
        presentStaticCallerNumber,
        'static_caller_numbers',
      ),
  );

  app.post(
    '/static_caller_numbers',
    {
      config: { wrap: 'static_caller_number' },
      schema: {
        response: { 201: StaticCallerNumbers.one },
        tags,
        summary: 'Create a Static Caller Number',
        body: StaticCallerNumberBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => {
      const { number } = req.body as StaticCallerNumberBody;
      return send(
        reply,
        presentStaticCallerNumber(await staticCallerNumbers.create(req.core.companyId, { number })),
        { status: 201 },
      );
    },
  );

  app.delete(
    '/static_caller_numbers/:id',
    {
      schema: {
        response: { 200: StaticCallerNumbers.one },
        tags,
        summary: 'Delete a Static Caller Number',
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(
        reply,
        presentStaticCallerNumber(await staticCallerNumbers.remove(req.core.companyId, req.params.id)),
      ),
  );
}
