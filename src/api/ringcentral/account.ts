import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { NotFound } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import type { Person } from '../../services/users.js';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { baseUri } from './plugin.js';
import { AccountInfo, DeviceList, Extension, ExtensionList } from './responses.js';

export const AccountParams = Type.Object({ accountId: Type.String({ maxLength: 64 }) });
export const ExtensionParams = Type.Object({
  accountId: Type.String({ maxLength: 64 }),
  extensionId: Type.String({ maxLength: 64 }),
});
const PageQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
    perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: true },
);

/** `~` is the signed-in account; any other id must be it too — another account's id is 404, never its data. */
export function accountOf(request: FastifyRequest, accountId: string): number {
  const own = request.rc.bearer.companyId;
  if (accountId === '~' || accountId === String(own)) return own;
  throw new NotFound('accountId');
}

export async function extensionOf(
  request: FastifyRequest,
  users: Services['users'],
  accountId: string,
  extensionId: string,
): Promise<Person> {
  const companyId = accountOf(request, accountId);
  if (extensionId === '~') return request.rc.person;
  const id = /^[0-9]{1,10}$/.test(extensionId) ? Number(extensionId) : Number.NaN;
  if (!Number.isSafeInteger(id) || id > 2_147_483_647) throw new NotFound('extensionId');
  return users.get(companyId, id).catch(() => {
    throw new NotFound('extensionId');
  });
}

export const displayName = (p: Person) => [p.first_name, p.last_name].filter(Boolean).join(' ') || p.email;

export function presentExtension(request: FastifyRequest, p: Person) {
  const base = baseUri(request);
  return {
    uri: `${base}/account/${p.company_id}/extension/${p.id}`,
    id: p.id,
    extensionNumber: p.extension_number,
    name: displayName(p),
    type: 'User',
    status: 'Enabled',
    contact: {
      ...(p.first_name ? { firstName: p.first_name } : {}),
      ...(p.last_name ? { lastName: p.last_name } : {}),
      email: p.email,
      emailAsLoginName: true,
      ...(p.phone_number && !p.phone_number.startsWith('sip:') ? { businessPhone: p.phone_number } : {}),
    },
    account: { id: String(p.company_id), uri: `${base}/account/${p.company_id}` },
    hidden: false,
    setupWizardState: 'Completed',
    creationTime: new Date(p.created_at).toISOString(),
  };
}

/** The person's phone (`phone_number`) as their one device; its id is the extension id. */
export function presentDevices(request: FastifyRequest, p: Person) {
  const base = baseUri(request);
  if (!p.phone_number) return [];
  const sip = p.phone_number.startsWith('sip:');
  return [
    {
      id: String(p.id),
      uri: `${base}/account/${p.company_id}/device/${p.id}`,
      type: sip ? 'SoftPhone' : 'OtherPhone',
      name: sip ? p.phone_number : `Phone ${p.phone_number}`,
      status: 'Online',
      extension: {
        id: p.id,
        uri: `${base}/account/${p.company_id}/extension/${p.id}`,
        extensionNumber: p.extension_number,
      },
      phoneLines: [
        {
          id: String(p.id),
          lineType: 'Standalone',
          phoneInfo: { id: p.id, phoneNumber: p.phone_number, usageType: 'DirectNumber' },
        },
      ],
    },
  ];
}

/** RingCentral's list envelope: `navigation` links and `paging` counts. */
export function listEnvelope<T>(uri: string, records: T[], page: number, perPage: number, total: number) {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const at = (n: number) => ({ uri: `${uri}?page=${n}&perPage=${perPage}` });
  return {
    uri: `${uri}?page=${page}&perPage=${perPage}`,
    records,
    navigation: {
      firstPage: at(1),
      ...(page > 1 ? { previousPage: at(Math.min(page - 1, totalPages)) } : {}),
      ...(page < totalPages ? { nextPage: at(page + 1) } : {}),
      lastPage: at(totalPages),
    },
    paging: {
      page,
      perPage,
      totalPages,
      totalElements: total,
      ...(records.length
        ? { pageStart: (page - 1) * perPage, pageEnd: (page - 1) * perPage + records.length - 1 }
        : {}),
    },
  };
}

const tags = ['RingCentral account'];

export async function accountRoutes(app: CoreApp, { users }: Pick<Services, 'users'>) {
  app.get(
    '/v1.0/account/:accountId',
    { schema: { tags, summary: 'Get account info', params: AccountParams, response: { 200: AccountInfo } } },
    async (req) => {
      const id = accountOf(req, req.params.accountId);
      return {
        uri: `${baseUri(req)}/account/${id}`,
        id,
        status: 'Confirmed',
        setupWizardState: 'Completed',
        federated: false,
      };
    },
  );

  app.get(
    '/v1.0/account/:accountId/extension',
    {
      schema: {
        tags,
        summary: 'List extensions',
        params: AccountParams,
        querystring: PageQuery,
        response: { 200: ExtensionList },
      },
    },
    async (req) => {
      const companyId = accountOf(req, req.params.accountId);
      const page = req.query.page ?? 1;
      const perPage = req.query.perPage ?? 100;
      const { rows, total } = await users.pageOf(companyId, page, perPage);
      const uri = `${baseUri(req)}/account/${companyId}/extension`;
      return listEnvelope(
        uri,
        rows.map((p) => presentExtension(req, p)),
        page,
        perPage,
        total,
      );
    },
  );

  app.get(
    '/v1.0/account/:accountId/extension/:extensionId',
    { schema: { tags, summary: 'Get extension', params: ExtensionParams, response: { 200: Extension } } },
    async (req) =>
      presentExtension(req, await extensionOf(req, users, req.params.accountId, req.params.extensionId)),
  );

  app.get(
    '/v1.0/account/:accountId/extension/:extensionId/device',
    {
      schema: {
        tags,
        summary: "Get the extension's devices",
        params: ExtensionParams,
        response: { 200: DeviceList },
      },
    },
    async (req) => {
      const p = await extensionOf(req, users, req.params.accountId, req.params.extensionId);
      const records = presentDevices(req, p);
      const uri = `${baseUri(req)}/account/${p.company_id}/extension/${p.id}/device`;
      return listEnvelope(uri, records, 1, 100, records.length);
    },
  );
}
