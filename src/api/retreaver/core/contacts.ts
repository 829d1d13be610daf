import { type Static, Type } from 'typebox';
import type { ContactInput, ContactNumber, ContactView } from '../../../services/contacts.js';
import type { Services } from '../../../services/index.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, IdParams, ListQuery, Nullable } from './common.js';
import type { CoreApp } from './plugin.js';
import { Contacts } from './responses.js';

const ContactNumberAttributes = Type.Object(
  {
    id: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
    number: Type.Optional(Type.String({ maxLength: 255 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    // Rails' nested-attributes flag: with an id, removes that number. Forms send it as "1"/"0".
    _destroy: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('1'), Type.Literal('0')])),
  },
  { additionalProperties: false },
);

const ContactBody = Type.Object(
  {
    tag_list: Type.Optional(Nullable(Type.String({ maxLength: 20_000 }))),
    contact_numbers_attributes: Type.Optional(Type.Array(ContactNumberAttributes, { maxItems: 100 })),
    // Read-only fields a client may echo back from a GET; accepted and ignored.
    id: Type.Optional(Type.Unknown()),
    contact_numbers: Type.Optional(Type.Unknown()),
    tag_values: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
type ContactBody = Static<typeof ContactBody>;

/** A phone number (or sip: URI) in the path; `+` may come raw or as %2B. */
export const NumberParams = Type.Object({ number: Type.String({ minLength: 1, maxLength: 255 }) });

export const presentContactNumber = (n: ContactNumber) => ({
  number: n.number,
  description: n.description,
  id: n.id,
});

export function presentContact({ contact, numbers, tags }: ContactView) {
  return {
    contact: {
      id: contact.id,
      contact_numbers: numbers.map(presentContactNumber),
      tag_values: tags.map((t) => ({ key: t.key, value: t.value, operator: t.operator, id: t.id })),
    },
  };
}

const input = (body: unknown): ContactInput => {
  const { tag_list, contact_numbers_attributes } = body as ContactBody;
  return {
    tag_list,
    contact_numbers_attributes: contact_numbers_attributes?.map(({ _destroy, ...n }) => ({
      ...n,
      ...(_destroy !== undefined ? { _destroy: _destroy === true || _destroy === '1' } : {}),
    })),
  };
};

const tags = ['Contacts'];
const wrap = { wrap: 'contact' };

export async function contactRoutes(app: CoreApp, { contacts }: Pick<Services, 'contacts'>) {
  app.get(
    '/contacts',
    {
      schema: { response: { 200: Contacts.list }, tags, summary: 'Get all Contacts', querystring: ListQuery },
    },
    async (req, reply) =>
      sendPage(
        reply,
        await contacts.list(req.core.companyId, req.query.page ?? 1),
        presentContact,
        'contacts',
      ),
  );

  app.post(
    '/contacts',
    {
      config: wrap,
      schema: {
        response: { 201: Contacts.one },
        tags,
        summary: 'Create a Contact',
        body: ContactBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentContact(await contacts.create(req.core.companyId, input(req.body))), {
        status: 201,
      }),
  );

  app.get(
    '/contacts/:id',
    {
      schema: {
        response: { 200: Contacts.one },
        tags,
        summary: 'Get a specific Contact by ID',
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => send(reply, presentContact(await contacts.get(req.core.companyId, req.params.id))),
  );

  app.put(
    '/contacts/:id',
    {
      config: wrap,
      schema: {
        response: { 200: Contacts.one },
        tags,
        summary: 'Update a Contact',
        params: IdParams,
        body: ContactBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentContact(await contacts.update(req.core.companyId, req.params.id, input(req.body)))),
  );

  app.delete(
    '/contacts/:id',
    {
      schema: {
        response: { 200: Contacts.one },
        tags,
        summary: 'Remove a Contact',
        params: IdParams,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentContact(await contacts.remove(req.core.companyId, req.params.id))),
  );

  const params = NumberParams;
  app.get(
    '/contact_numbers/:number/contact',
    {
      schema: {
        response: { 200: Contacts.one },
        tags,
        summary: 'Get a specific Contact by phone number',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentContact(await contacts.getByNumber(req.core.companyId, req.params.number))),
  );

  app.put(
    '/contact_numbers/:number/contact',
    {
      config: wrap,
      schema: {
        response: { 200: Contacts.one },
        tags,
        summary: 'Update a Contact by phone number',
        params,
        body: ContactBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(
        reply,
        presentContact(await contacts.updateByNumber(req.core.companyId, req.params.number, input(req.body))),
      ),
  );

  app.delete(
    '/contact_numbers/:number/contact',
    {
      schema: {
        response: { 200: Contacts.one },
        tags,
        summary: 'Delete a Contact by phone number',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, presentContact(await contacts.removeByNumber(req.core.companyId, req.params.number))),
  );
}
