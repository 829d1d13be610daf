import { Type } from 'typebox';
import type { CcaiCallViews, CallListQuery as ListQuery } from '../../services/ccai-call-views.js';
import type { CallRequest, CcaiCallService } from '../../services/ccai-calls.js';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { sendList } from './plugin.js';
import { presentCall } from './present-call.js';
import {
  CallBody,
  CallEcho,
  CallListQuery,
  CallObject,
  CancelManyBody,
  CcaiErrorBody,
  CustomerFlags,
  CustomerFlagsBody,
  IdParams,
} from './schemas.js';

export interface CallRouteDeps {
  calls: CcaiCallService;
  views: CcaiCallViews;
}

type ListParams = {
  page?: number;
  per?: number;
  status?: string;
  sort_column?: 'id' | 'created_at';
  sort_direction?: 'asc' | 'desc';
  'created_at[from]'?: string;
  'created_at[to]'?: string;
};

function listQuery(q: ListParams): ListQuery {
  return {
    page: q.page ?? 1,
    per: q.per ?? 25,
    status: q.status,
    sortColumn: q.sort_column,
    sortDirection: q.sort_direction,
    createdFrom: q['created_at[from]'] ? Date.parse(q['created_at[from]']) : undefined,
    createdTo: q['created_at[to]'] ? Date.parse(q['created_at[to]']) : undefined,
  };
}

const tags = ['CCAI calls'];

/** `/apps/api/v1/calls…` and the Manager API's call list. */
export async function callRoutes(app: CoreApp, { calls, views }: CallRouteDeps): Promise<void> {
  app.post(
    '/apps/api/v1/calls',
    {
      schema: {
        tags,
        summary: 'Create an outbound, incoming or scheduled call',
        description:
          'Every refusal is a 400 `{"message": …}` worded as the CCAI Platform documentation words it for that call type (docs/ccai.md lists them). 202 when the agent must choose an outbound number.',
        body: CallBody,
        response: { 201: CallObject, 202: CallEcho },
      },
    },
    async (req, reply) => {
      const result = await calls.create(req.ccai.companyId, req.body as CallRequest);
      if (result.kind === 'choose_outbound_number') return reply.code(202).send(result.request);
      return reply.code(201).send(presentCall(result.call));
    },
  );

  app.get(
    '/apps/api/v1/calls',
    {
      schema: {
        tags,
        summary: 'List calls, newest first',
        querystring: CallListQuery,
        response: { 200: Type.Array(CallObject) },
      },
    },
    async (req, reply) =>
      sendList(reply, await views.list(req.ccai.companyId, listQuery(req.query as ListParams)), presentCall),
  );

  app.get(
    '/apps/api/v1/calls/:id',
    { schema: { tags, summary: 'Get a call', params: IdParams, response: { 200: CallObject } } },
    async (req) => presentCall(await views.get(req.ccai.companyId, req.params.id)),
  );

  app.get(
    '/apps/api/v1/calls/:id/customer_flag',
    {
      schema: {
        tags,
        summary: 'Get reserved data attributes (customer flags) of a call',
        params: IdParams,
        response: { 200: CustomerFlags },
      },
    },
    async (req) => calls.flags(req.ccai.companyId, req.params.id),
  );

  app.patch(
    '/apps/api/v1/calls/:id/customer_flag',
    {
      schema: {
        tags,
        summary: 'Update reserved data attributes (customer flags) of a call',
        description:
          "Takes `repeat_customer` and the seed's spelling `repeat_customers` (the first wins when both are sent).",
        params: IdParams,
        body: CustomerFlagsBody,
        response: { 200: CustomerFlags },
      },
    },
    async (req) => {
      const { repeat_customers, ...rest } = req.body;
      return calls.setFlags(req.ccai.companyId, req.params.id, {
        ...rest,
        repeat_customer: rest.repeat_customer ?? repeat_customers,
      });
    },
  );

  app.patch(
    '/apps/api/v1/calls/scheduled/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a scheduled call',
        description: '200 with the call, status `cancelled`; 204 when it was already cancelled.',
        params: IdParams,
        response: { 200: CallObject, 204: Type.Null({ description: 'Already cancelled' }) },
      },
    },
    async (req, reply) => {
      const { call, already } = await calls.cancel(req.ccai.companyId, req.params.id);
      if (already) return reply.code(204).send(null);
      return presentCall(call);
    },
  );

  app.patch(
    '/apps/api/v1/calls/scheduled/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel several scheduled calls',
        description: 'Every id is checked first: one unknown or already placed cancels none.',
        body: CancelManyBody,
        response: {
          200: Type.Array(CallObject),
          404: { ...CcaiErrorBody, description: 'One of the calls is unknown to this key' },
        },
      },
    },
    async (req) => (await calls.cancelMany(req.ccai.companyId, req.body.call_ids)).map(presentCall),
  );

  app.get(
    '/manager/api/v1/calls',
    {
      schema: {
        tags: ['CCAI Manager API'],
        summary: 'Calls as reporting tools read them',
        querystring: CallListQuery,
        response: { 200: Type.Array(CallObject) },
      },
    },
    async (req, reply) =>
      sendList(reply, await views.list(req.ccai.companyId, listQuery(req.query as ListParams)), presentCall),
  );
}
