import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationFailed } from '../domain/errors.js';

/**
 * Input every face refuses before a handler (or a query) sees it, registered once at the root so each
 * face's own error handler turns the refusal into its own shape:
 * - NUL bytes: PostgreSQL's text type cannot hold them ("invalid byte sequence for encoding UTF8"), and
 *   no field of any face means one. Checked in the URL and headers before authentication (keys are
 *   looked up in SQL) and in the body once it is parsed.
 * - Non-finite numbers: Ajv's type coercion turns the strings "Infinity" and "1e309" into Infinity and
 *   then skips its range checks for them, so `page=Infinity` or `/targets/1e309` reached SQL.
 */
export function registerEdgeGuards(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const url = request.raw.url ?? '';
    if (url.includes('\0') || /%00/i.test(url)) throw nulIn(urlPart(url));
    for (const [name, value] of Object.entries(request.headers)) {
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v === 'string' && v.includes('\0'))) throw nulIn(name);
    }
  });
  app.addHook('preValidation', async (request) => {
    const at = findValue(request.body, (v) => typeof v === 'string' && v.includes('\0'));
    if (at !== undefined) throw nulIn(at || 'body');
  });
  app.addHook('preHandler', async (request) => {
    for (const [name, value] of inputs(request)) {
      const at = findValue(value, (v) => typeof v === 'number' && !Number.isFinite(v));
      if (at !== undefined) throw ValidationFailed.field(at || name, 'must be a finite number');
    }
  });
}

function nulIn(field: string): ValidationFailed {
  return ValidationFailed.field(field, 'must not contain NUL bytes');
}

/** Which part of a URL holds the NUL: the path, or the first query parameter that does. */
function urlPart(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || /%00|\0/i.test(url.slice(0, q))) return 'path';
  for (const pair of url.slice(q + 1).split('&')) {
    if (/%00|\0/i.test(pair)) return safeName(pair.split('=')[0]);
  }
  return 'query';
}

function safeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).replace(/\0/g, '') || 'query';
  } catch {
    return 'query';
  }
}

function inputs(request: FastifyRequest): [string, unknown][] {
  return [
    ['query', request.query],
    ['path', request.params],
    ['body', request.body],
  ];
}

/**
 * Depth-first search of a parsed input for a value (or key) matching `bad`; returns its dotted path
 * ('' for the root), or undefined. Iterative, so a deeply nested body cannot overflow the stack.
 */
export function findValue(root: unknown, bad: (v: unknown) => boolean): string | undefined {
  const stack: [unknown, string][] = [[root, '']];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (bad(value)) return path;
    if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || seen.has(value)) continue;
    seen.add(value);
    for (const [k, v] of Object.entries(value)) {
      const child = path ? `${path}.${k}` : k;
      if (bad(k)) return child.replace(/\0/g, '\\0');
      stack.push([v, child]);
    }
  }
  return undefined;
}

/** How one face answers an error, in its own shape. */
export type FaceResponder = (err: unknown, reply: FastifyReply) => unknown;

/**
 * Errors Fastify raises before any route or hook runs (a path whose percent-encoding is not UTF-8:
 * FST_ERR_BAD_URL), answered by the face whose prefix the path has. Fastify's own answer is in none of
 * the faces' shapes and echoes the whole URL, api_key included.
 */
export function frameworkErrors(faces: [prefix: string, respond: FaceResponder][], fallback: FaceResponder) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
    const err =
      status === 400
        ? ValidationFailed.field('path', 'is not a valid URL (bad percent-encoding)')
        : Object.assign(new Error(error.message), { statusCode: status });
    const url = request.raw.url ?? '/';
    const face = faces.find(([prefix]) => url === prefix || url.startsWith(`${prefix}/`));
    return (face?.[1] ?? fallback)(err, reply);
  };
}
