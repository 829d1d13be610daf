import { type Static, Type } from 'typebox';
import type { Services } from '../../../services/index.js';
import type { Tag } from '../../../services/tags.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, IdParams, ListQuery, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { Tags } from './responses.js';

/**
 * Tags: the keys a company's reports index (seed 001: "create a tag with key '…'. We will start indexing
 * it from today. Let us know if you would like us to re-index past calls."). The seed shows no API for
 * its Tags page; this one is shaped like the other Core resources, with `reindex` as the command.
 */
const TagBody = Type.Object(
  {
    key: Type.Optional(
      Type.String({ maxLength: 255, description: 'The tag key to report on, as calls carry it (required).' }),
    ),
    // Read-only fields a client may echo back from a GET; accepted and ignored.
    id: Type.Optional(Type.Unknown()),
    indexed_from: Type.Optional(Type.Unknown()),
    reindexed_at: Type.Optional(Type.Unknown()),
    created_at: Type.Optional(Type.Unknown()),
    updated_at: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

export function presentTag(t: Tag) {
  return {
    tag: {
      id: t.id,
      key: t.key,
      indexed_from: time(t.indexed_from),
      reindexed_at: time(t.reindexed_at),
      created_at: time(t.created_at),
      updated_at: time(t.updated_at),
    },
  };
}

const tags = ['Tags'];
const ABOUT =
  'Reports (`/api/v1/reports.json?facet=tag_value`) show only created tag keys plus the system tags ' +
  '(geo, caller_state, caller_city, caller_zip). A new tag covers calls made from its creation ' +
  '(`indexed_from`); `POST /tags/{id}/reindex` covers every past call (`indexed_from` null).';
const doc = (summary: string, description: string) => ({
  tags,
  summary,
  description: `${description}\n\n${ABOUT}`,
});

export async function tagRoutes(app: CoreApp, { tags: service }: Pick<Services, 'tags'>) {
  app.get(
    '/tags',
    {
      schema: {
        response: { 200: Tags.list },
        ...doc('Get all Tags', 'Lists them, oldest first, 25 per page.'),
        querystring: ListQuery,
      },
    },
    async (req, reply) =>
      sendPage(reply, await service.list(req.core.companyId, req.query.page ?? 1), presentTag, 'tags'),
  );
  app.post(
    '/tags',
    {
      config: { wrap: 'tag' },
      schema: {
        response: { 201: Tags.one },
        ...doc('Create a Tag', 'Starts indexing the key from now.'),
        body: TagBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => {
      const body = req.body as Static<typeof TagBody>;
      return send(reply, presentTag(await service.create(req.core.companyId, { key: body.key })), {
        status: 201,
      });
    },
  );
  app.get(
    '/tags/:id',
    {
      schema: {
        response: { 200: Tags.one },
        ...doc('Get a specific Tag', 'One tag.'),
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentTag(await service.get(req.core.companyId, req.params.id))),
  );
  app.post(
    '/tags/:id/reindex',
    {
      schema: {
        response: { 200: Tags.one },
        ...doc(
          'Re-index a Tag',
          'Indexes the key on every past call; reports include them from the next request.',
        ),
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentTag(await service.reindex(req.core.companyId, req.params.id))),
  );
  app.delete(
    '/tags/:id',
    {
      schema: {
        response: { 200: Tags.one },
        ...doc('Remove a Tag', 'Stops reporting the key and answers the tag as it was.'),
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentTag(await service.delete(req.core.companyId, req.params.id))),
  );
}
