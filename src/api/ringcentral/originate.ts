import { Type } from 'typebox';
import type { CoreApp } from '../retreaver/core/plugin.js';
import { AccountParams, accountOf, ExtensionParams } from './account.js';
import { FeatureUnavailable } from './errors.js';
import { Unavailable } from './responses.js';

const RingOutParams = Type.Object({
  accountId: Type.String({ maxLength: 64 }),
  extensionId: Type.String({ maxLength: 64 }),
  ringoutId: Type.String({ maxLength: 64 }),
});

const tags = ['RingCentral call origination'];
const WHY =
  'Calls placed from an extension (call-out, ring-out, conference) are not available yet: the engine only carries calls that arrive on a tracking number';

/**
 * Documented ways to originate a call, answered with a clear 403 until the engine can place calls that do
 * not arrive on a tracking number (docs/compat.md).
 */
export async function originateRoutes(app: CoreApp) {
  const refuse = async (req: { params: { accountId: string } } & Parameters<typeof accountOf>[0]) => {
    accountOf(req, req.params.accountId);
    throw new FeatureUnavailable(WHY);
  };
  app.post(
    '/v1.0/account/:accountId/telephony/call-out',
    {
      schema: {
        tags,
        summary: 'Make CallOut (not available)',
        params: AccountParams,
        response: { 201: Unavailable },
      },
    },
    refuse,
  );
  app.post(
    '/v1.0/account/:accountId/telephony/conference',
    {
      schema: {
        tags,
        summary: 'Start conference (not available)',
        params: AccountParams,
        response: { 201: Unavailable },
      },
    },
    refuse,
  );
  app.post(
    '/v1.0/account/:accountId/extension/:extensionId/ring-out',
    {
      schema: {
        tags,
        summary: 'Make RingOut (not available)',
        params: ExtensionParams,
        response: { 200: Unavailable },
      },
    },
    refuse,
  );
  app.get(
    '/v1.0/account/:accountId/extension/:extensionId/ring-out/:ringoutId',
    {
      schema: {
        tags,
        summary: 'Get RingOut status (not available)',
        params: RingOutParams,
        response: { 200: Unavailable },
      },
    },
    refuse,
  );
  app.delete(
    '/v1.0/account/:accountId/extension/:extensionId/ring-out/:ringoutId',
    {
      schema: {
        tags,
        summary: 'Cancel RingOut (not available)',
        params: RingOutParams,
        response: { 204: Unavailable },
      },
    },
    refuse,
  );
}
