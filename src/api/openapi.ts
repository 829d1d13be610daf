import type { FastifyInstance, RouteOptions } from 'fastify';
import { type TSchema, Type } from 'typebox';

/**
 * What each operation of a face can answer, declared in its schema so the OpenAPI document lists every
 * real status with its body: the success (201 for creates), and the face's error shape for each
 * failure the face's conventions produce. A route's own `response` entries win; the rest is filled in
 * here in one place per face rather than repeated on 150 routes. test/helpers/openapi.ts checks real
 * answers against the document.
 */

const FieldErrors = Type.Record(Type.String(), Type.Array(Type.String()), {
  description: 'Messages by field (validation failures)',
});

/** Core API, RTB and sim faces: `{"status": 404, "error": "Not Found"}`. */
export const RetreaverError = Type.Object(
  { status: Type.Integer(), error: Type.String(), errors: Type.Optional(FieldErrors) },
  { additionalProperties: false },
);

/** Call Control face: `{"success": false, "error": "call not live"}`. */
export const CallControlError = Type.Object(
  { success: Type.Literal(false), error: Type.String(), errors: Type.Optional(FieldErrors) },
  { additionalProperties: true },
);

/**
 * RingCentral face: `ApiErrorResponseModel` of ../shared/specs (the token endpoints answer OAuth's
 * `{error, error_description}` and declare it themselves).
 */
export const RcError = Type.Object(
  {
    errorCode: Type.String(),
    message: Type.String(),
    errors: Type.Array(
      Type.Object(
        { errorCode: Type.String(), message: Type.String(), parameterName: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** RFC 6749 §5.2 error of the RingCentral token endpoints, with RingCentral's `errors[]` beside it. */
export const OAuthErrorBody = Type.Object(
  {
    error: Type.String(),
    error_description: Type.String(),
    errors: Type.Array(Type.Object({ errorCode: Type.String(), message: Type.String() })),
  },
  { additionalProperties: false },
);

const DESCRIPTIONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Invalid input (field errors under `errors`) or a broken rule',
  401: 'No key, or a key that is not valid',
  403: 'The key may not do this',
  404: 'No such resource for this key (another company’s is as unknown as a made-up one)',
  405: 'Method not allowed on this path',
  406: 'Unknown format extension',
  409: 'Conflicts with the resource’s state',
  410: 'The resource was deleted',
  413: 'Body over BODY_LIMIT_BYTES',
  415: 'Unsupported Content-Type',
  429: 'Over the per-key rate limit (see Retry-After)',
  502: 'The telephone network failed to carry out the action',
  503: 'Maintenance or shutting down',
};

export interface FaceResponses {
  error: TSchema;
  /** Failure statuses every operation of the face can answer. */
  always: number[];
  /** …and those of operations with path parameters, or with a body. */
  withParams: number[];
  withBody: number[];
  /** POST routes answering 201 although they carry no `config.wrap` (the sign of a create). */
  created?: string[];
  /** Routes whose answer depends on a live call's state: they may also answer these. */
  stateful?: { url: RegExp; statuses: number[] };
}

export const CORE_RESPONSES: FaceResponses = {
  error: RetreaverError,
  always: [400, 401, 403, 404, 406, 429, 503],
  withParams: [410],
  withBody: [413, 415],
  created: ['/users/:id/jwt'],
};

export const RTB_RESPONSES: FaceResponses = {
  error: RetreaverError,
  // 404: an unknown postback key, reservation or call.
  always: [400, 401, 403, 404, 406, 429, 503],
  withParams: [],
  withBody: [413, 415],
};

export const CALL_CONTROL_RESPONSES: FaceResponses = {
  error: CallControlError,
  // 502: the telephone network failed the command ("telephony failure").
  always: [400, 401, 403, 404, 405, 406, 409, 429, 502, 503],
  withParams: [],
  withBody: [413, 415],
};

/** CCAI face: `{"message": "Agent email required"}`. */
export const CcaiError = Type.Object({ message: Type.String() }, { additionalProperties: false });

export const CCAI_RESPONSES: FaceResponses = {
  error: CcaiError,
  always: [400, 401, 429, 503],
  withParams: [404],
  withBody: [413, 415],
};

export const RC_RESPONSES: FaceResponses = {
  error: RcError,
  always: [400, 401, 403, 404, 429, 503],
  withParams: [],
  withBody: [413, 415],
  // A party action (or a ring-out cancel) in the wrong state: 409 TAS-109; the telephone network failing it: 502.
  stateful: { url: /\/telephony\/sessions\/|\/ring-out\//, statuses: [409, 502] },
};

export const SIM_RESPONSES: FaceResponses = {
  error: RetreaverError,
  // 403: a read-only key; 503: new calls and endpoints while the server drains.
  always: [400, 401, 403, 404, 503],
  withParams: [],
  withBody: [413, 415],
  created: ['/sim/calls'],
};

/** Adds the face's responses to every route registered after it in this scope. */
export function declareResponses(app: FastifyInstance, face: FaceResponses): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = (route.schema ?? {}) as { hide?: boolean; response?: Record<string, unknown> };
    if (schema.hide) return;
    const response: Record<string, unknown> = { ...(schema.response ?? {}) };
    const methods = [route.method].flat();
    const hasBody = methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH');
    const created =
      methods.includes('POST') &&
      ((route.config as { wrap?: string } | undefined)?.wrap !== undefined ||
        face.created?.includes(route.url));
    const success = created ? 201 : 200;
    if (!Object.keys(response).some((code) => code.startsWith('2'))) {
      response[success] = { description: DESCRIPTIONS[success] };
    }
    const failures = [
      ...face.always,
      ...(route.url.includes(':') ? face.withParams : []),
      ...(hasBody ? face.withBody : []),
      ...(face.stateful?.url.test(route.url) ? face.stateful.statuses : []),
    ];
    for (const code of failures) response[code] ??= { ...face.error, description: DESCRIPTIONS[code] };
    route.schema = { ...schema, response };
  });
}
