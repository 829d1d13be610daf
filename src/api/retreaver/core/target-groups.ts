import { Type } from 'typebox';
import type { Services } from '../../../services/index.js';
import type { TargetGroupInput, TargetGroupView } from '../../../services/target-groups.js';
import { send, sendPage } from '../reply.js';
import { bodilessJsonRoutes, capAttributeFields, INT_MAX, presentCaps } from './caps.js';
import { AuthQuery, IdParams, ListQuery, Nullable } from './common.js';
import type { CoreApp } from './plugin.js';
import { TargetGroups } from './responses.js';

const Int = (minimum: number, maximum = INT_MAX) => Type.Integer({ minimum, maximum });
const TargetIds = Type.Array(Int(1), { maxItems: 1000 });
const ReadOnly = Type.Optional(Type.Unknown());

export const TargetGroupBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 255 })),
    behavior: Type.Optional(Int(1, 2)),
    priority: Type.Optional(Nullable(Int(0))),
    weight: Type.Optional(Nullable(Int(0))),
    concurrency_cap: Type.Optional(Nullable(Int(0))),
    target_ids: Type.Optional(TargetIds),
    add_targets_by_id: Type.Optional(TargetIds),
    remove_targets_by_id: Type.Optional(TargetIds),
    ...capAttributeFields,
    // Read-only fields a client may echo back from a GET; accepted and ignored.
    id: ReadOnly,
    calls_in_progress: ReadOnly,
    caps: ReadOnly,
  },
  { additionalProperties: false },
);

export function presentTargetGroup({ group: g, targetIds, caps, callsInProgress }: TargetGroupView) {
  return {
    target_group: {
      id: g.id,
      name: g.name,
      target_ids: targetIds,
      concurrency_cap: g.concurrency_cap,
      calls_in_progress: callsInProgress,
      behavior: g.behavior,
      priority: g.priority,
      weight: g.weight,
      caps: presentCaps(caps),
    },
  };
}

const tags = ['Target Groups'];

export async function targetGroupRoutes(app: CoreApp, { targetGroups }: Pick<Services, 'targetGroups'>) {
  app.get(
    '/target_groups',
    {
      schema: {
        response: { 200: TargetGroups.list },
        tags,
        summary: 'Get all Target Groups',
        querystring: ListQuery,
      },
    },
    async (req, reply) =>
      sendPage(
        reply,
        await targetGroups.list(req.core.companyId, req.query.page ?? 1),
        presentTargetGroup,
        'target_groups',
      ),
  );

  app.post(
    '/target_groups',
    {
      config: { wrap: 'target_group' },
      schema: {
        response: { 201: TargetGroups.one },
        tags,
        summary: 'Create a Target Group',
        body: TargetGroupBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(
        reply,
        presentTargetGroup(await targetGroups.create(req.core.companyId, req.body as TargetGroupInput)),
        {
          status: 201,
        },
      ),
  );

  const params = IdParams;
  app.get(
    '/target_groups/:id',
    {
      schema: {
        response: { 200: TargetGroups.one },
        tags,
        summary: 'Get a specific Target Group',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentTargetGroup(await targetGroups.get(req.core.companyId, req.params.id))),
  );
  app.put(
    '/target_groups/:id',
    {
      config: { wrap: 'target_group' },
      schema: {
        response: { 200: TargetGroups.one },
        tags,
        summary: 'Update a Target Group',
        params,
        body: TargetGroupBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(
        reply,
        presentTargetGroup(
          await targetGroups.update(req.core.companyId, req.params.id, req.body as TargetGroupInput),
        ),
      ),
  );
  app.delete(
    '/target_groups/:id',
    {
      schema: {
        response: { 200: TargetGroups.one },
        tags,
        summary: 'Delete a Target Group',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentTargetGroup(await targetGroups.remove(req.core.companyId, req.params.id))),
  );
  await bodilessJsonRoutes(app, (scope) =>
    scope.post(
      '/target_groups/:id/reset_cap',
      {
        schema: {
          response: { 200: TargetGroups.one },
          tags,
          summary: 'Reset all Hard Caps on Targets in a Target Group',
          params,
          querystring: AuthQuery,
        },
      },
      async (req, reply) =>
        send(reply, presentTargetGroup(await targetGroups.resetCap(req.core.companyId, req.params.id))),
    ),
  );
}
