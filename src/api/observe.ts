import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * One answer as the client receives it, with the operation that produced it: what the test suite checks
 * against /openapi.json (test/helpers/openapi.ts). Only built when an observer is given (tests).
 */
export interface ObservedAnswer {
  method: string;
  /** Path as the client sent it (`/targets/5.xml`). */
  url: string;
  /** The route's path as the OpenAPI document shows it (`/targets/{id}.json`); absent for unrouted requests. */
  operation?: string;
  status: number;
  contentType: string;
  /** The body as sent; undefined for streams. */
  body: string | undefined;
  /**
   * Set when a route's compiled response schema changed the body: it dropped or renamed a field, or coerced
   * a value (null → 0, 1.5 → 1, 5 → "5"), so the answer differs from `JSON.stringify` of what the handler sent.
   */
  serializationDiff?: { expected: string; actual: string };
}

export type AnswerObserver = (answer: ObservedAnswer) => void;

const PLAIN = Symbol('plainJson');

/**
 * Hands every answer of the app to `observe`. Registered at the root before the faces, so it sees the
 * answers of all of them, errors included. `docPath` maps a route URL to its OpenAPI path.
 */
export function observeAnswers(
  app: FastifyInstance,
  observe: AnswerObserver,
  docPath: (routeUrl: string) => string,
): void {
  // What JSON.stringify would have written, to compare with what the route's serializer did write.
  app.addHook('preSerialization', async (request, _reply, payload) => {
    (request as FastifyRequest & { [PLAIN]?: string })[PLAIN] = JSON.stringify(payload);
    return payload;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const routeUrl = request.routeOptions.url;
    const schema = request.routeOptions.schema as { hide?: boolean } | undefined;
    if (routeUrl === undefined || schema?.hide) return payload;
    const body =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    const expected = (request as FastifyRequest & { [PLAIN]?: string })[PLAIN];
    observe({
      method: request.method,
      url: (request.originalUrl ?? request.url).split('?', 1)[0],
      operation: docPath(routeUrl.replace(/:([A-Za-z_]\w*)/g, '{$1}')),
      status: reply.statusCode,
      contentType: String(reply.getHeader('content-type') ?? ''),
      body,
      ...(expected !== undefined && body !== undefined && expected !== body
        ? { serializationDiff: { expected, actual: body } }
        : {}),
    });
    return payload;
  });
}
