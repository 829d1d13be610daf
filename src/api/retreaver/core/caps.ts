import { Type } from 'typebox';
import type { CapView } from '../../../services/caps.js';
import { Nullable } from './common.js';
import type { CoreApp } from './plugin.js';

export const INT_MAX = 2_147_483_647;

/** `{cap: 100}`; `null` lifts the cap. The cap's own `id`, `type` and `filled` may be echoed back and are ignored. */
const CapAttributes = Type.Object(
  {
    cap: Nullable(Type.Integer({ minimum: 0, maximum: INT_MAX })),
    id: Type.Optional(Type.Unknown()),
    type: Type.Optional(Type.Unknown()),
    filled: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

/** The four nested cap attributes targets and target groups accept. */
export const capAttributeFields = {
  hard_cap_attributes: Type.Optional(CapAttributes),
  hourly_cap_attributes: Type.Optional(CapAttributes),
  daily_cap_attributes: Type.Optional(CapAttributes),
  monthly_cap_attributes: Type.Optional(CapAttributes),
};

export function presentCaps(caps: CapView[]) {
  return caps.map((c) => ({ id: c.id, filled: c.filled, cap: c.cap, type: c.type }));
}

/**
 * Routes for `reset_cap`, whose seed example POSTs `Content-Type: application/json` with no body at all
 * (Fastify's JSON parser refuses that). These routes take no body, so in their own scope a JSON body is
 * read as nothing, empty or not.
 */
export async function bodilessJsonRoutes(app: CoreApp, declare: (scope: CoreApp) => void): Promise<void> {
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, _body, done) =>
      done(null, undefined),
    );
    declare(scope as CoreApp);
  });
}
