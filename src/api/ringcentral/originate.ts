import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Forbidden } from '../../domain/errors.js';
import type { PartyControl } from '../../domain/party-control.js';
import type { RcOriginateService } from '../../services/rc-originate.js';
import type { TelephonySessionService } from '../../services/telephony-sessions.js';
import type { Person } from '../../services/users.js';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { AccountParams, accountOf, ExtensionParams, extensionOf } from './account.js';
import { FeatureUnavailable, PartyStateError } from './errors.js';
import { baseUri } from './plugin.js';
import { presentSession, ringOutStatus } from './present.js';
import { NewSession, NoContent, RingOutStatus } from './responses.js';

const RingOutParams = Type.Object({
  accountId: Type.String({ maxLength: 64 }),
  extensionId: Type.String({ maxLength: 64 }),
  ringoutId: Type.String({ maxLength: 64 }),
});
const Num = Type.String({ minLength: 1, maxLength: 128 });
const open = { additionalProperties: true };
const CallOutBody = Type.Object(
  {
    from: Type.Object({ deviceId: Num }, open),
    to: Type.Object({ phoneNumber: Type.Optional(Num), extensionNumber: Type.Optional(Num) }, open),
  },
  open,
);
const RingOutBody = Type.Object(
  {
    from: Type.Object({ phoneNumber: Type.Optional(Num), forwardingNumberId: Type.Optional(Num) }, open),
    to: Type.Object({ phoneNumber: Num }, open),
    callerId: Type.Optional(Type.Object({ phoneNumber: Type.Optional(Num) }, open)),
  },
  open,
);

export interface OriginateRouteDeps {
  originate: RcOriginateService;
  sessions: TelephonySessionService;
  parties: PartyControl;
  users: Parameters<typeof extensionOf>[1];
}

const tags = ['RingCentral call origination'];
const ringOutPath = '/v1.0/account/:accountId/extension/:extensionId/ring-out';

/** Ring-outs are the signed-in user's own: another extension of the account may not place one for them. */
async function self(
  req: FastifyRequest,
  deps: OriginateRouteDeps,
  p: { accountId: string; extensionId: string },
) {
  const person: Person = await extensionOf(req, deps.users, p.accountId, p.extensionId);
  if (person.id !== req.rc.person.id)
    throw new Forbidden('A ring-out is placed and read by its own extension only');
  return person;
}

/**
 * Calls placed from an extension: call-out (the user's device, then the destination), ring-out (any
 * phone, then the destination; its status and cancel by id), and conference sessions. The engine places
 * the calls; the answers are the sessions as GET reads them (docs/compat.md).
 */
export async function originateRoutes(app: CoreApp, deps: OriginateRouteDeps) {
  const { originate, sessions } = deps;
  const session = async (companyId: number, uuid: string) =>
    presentSession(await sessions.get(companyId, uuid), (id) => sessions.flagsOf(id));

  app.post(
    '/v1.0/account/:accountId/telephony/call-out',
    {
      schema: {
        tags,
        summary: 'Make CallOut',
        params: AccountParams,
        body: CallOutBody,
        response: { 201: NewSession },
      },
    },
    async (req, reply) => {
      const companyId = accountOf(req, req.params.accountId);
      const { from, to } = req.body;
      const uuid = await originate.callOut(req.rc.person, from.deviceId, to);
      return reply.code(201).send({ session: await session(companyId, uuid) });
    },
  );

  app.post(
    '/v1.0/account/:accountId/telephony/conference',
    {
      schema: { tags, summary: 'Start conference', params: AccountParams, response: { 201: NewSession } },
    },
    async (req, reply) => {
      const companyId = accountOf(req, req.params.accountId);
      const row = await originate.conference(req.rc.person);
      return reply.code(201).send({ session: await session(companyId, row.uuid) });
    },
  );

  const presentRingOut = async (req: FastifyRequest, person: Person, uuid: string) => ({
    id: uuid,
    uri: `${baseUri(req)}/account/${person.company_id}/extension/${person.id}/ring-out/${uuid}`,
    status: ringOutStatus(await sessions.get(person.company_id, uuid)),
  });

  app.post(
    ringOutPath,
    {
      schema: {
        tags,
        summary: 'Make RingOut',
        params: ExtensionParams,
        body: RingOutBody,
        response: { 200: RingOutStatus },
      },
    },
    async (req) => {
      const person = await self(req, deps, req.params);
      const { from, to, callerId } = req.body;
      if (from.forwardingNumberId && !from.phoneNumber)
        throw new FeatureUnavailable('Forwarding numbers are not available here: give from.phoneNumber');
      const uuid = await originate.ringOut(person, {
        from: from.phoneNumber,
        to: to.phoneNumber,
        callerId: callerId?.phoneNumber,
      });
      return presentRingOut(req, person, uuid);
    },
  );

  app.get(
    `${ringOutPath}/:ringoutId`,
    {
      schema: {
        tags,
        summary: 'Get RingOut status',
        params: RingOutParams,
        response: { 200: RingOutStatus },
      },
    },
    async (req) => {
      const person = await self(req, deps, req.params);
      const row = await originate.started(person, req.params.ringoutId, 'RingOut');
      return presentRingOut(req, person, row.uuid);
    },
  );

  app.delete(
    `${ringOutPath}/:ringoutId`,
    {
      schema: {
        tags,
        summary: 'Cancel RingOut',
        params: RingOutParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const person = await self(req, deps, req.params);
      const row = await originate.started(person, req.params.ringoutId, 'RingOut');
      const view = await sessions.get(person.company_id, row.uuid);
      if (view.call.status !== 'in-progress') throw new PartyStateError('The RingOut is already over');
      await deps.parties.end(person.company_id, row.uuid, 'ring-out cancelled');
      return reply.code(204).send();
    },
  );
}
