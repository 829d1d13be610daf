import { type Static, Type } from 'typebox';
import type { Services } from '../../../services/index.js';
import { send } from '../reply.js';
import { AuthQuery, Nullable } from './common.js';
import { NumberParams, presentContactNumber } from './contacts.js';
import type { CoreApp } from './plugin.js';
import { ContactNumbers } from './responses.js';

const ContactNumberBody = Type.Object(
  {
    number: Type.Optional(Type.String({ maxLength: 255 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    // Read-only: accepted and ignored, so a GET-modify-PUT round trip works.
    id: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
type ContactNumberBody = Static<typeof ContactNumberBody>;

const tags = ['Contact Numbers'];

/** The convenience API for one contact number, addressed by the number itself. */
export async function contactNumberRoutes(app: CoreApp, { contacts }: Pick<Services, 'contacts'>) {
  const params = NumberParams;
  app.delete(
    '/contact_numbers/:number',
    {
      schema: {
        response: { 200: ContactNumbers.one },
        tags,
        summary: 'Delete a Contact Number from a Contact by phone number',
        params,
        querystring: AuthQuery,
      },
    },
    async (req, reply) =>
      send(reply, {
        contact_number: presentContactNumber(
          await contacts.removeNumber(req.core.companyId, req.params.number),
        ),
      }),
  );

  app.put(
    '/contact_numbers/:number',
    {
      config: { wrap: 'contact_number' },
      schema: {
        response: { 200: ContactNumbers.one },
        tags,
        summary: 'Update a Contact Number by phone number',
        params,
        body: ContactNumberBody,
        querystring: AuthQuery,
      },
    },
    async (req, reply) => {
      const { number, description } = req.body as ContactNumberBody;
      const row = await contacts.updateNumber(req.core.companyId, req.params.number, { number, description });
      return send(reply, { contact_number: presentContactNumber(row) });
    },
  );
}
