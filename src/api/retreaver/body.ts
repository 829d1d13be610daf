import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import qs from 'qs';
import { ValidationFailed } from '../../domain/errors.js';
import { parseXml } from './xml.js';

/**
 * Request bodies in every form a Retreaver client sends them: JSON, XML, Rails-style form fields
 * (`affiliate[first_name]=…`) and multipart (for audio files).
 *
 * A body that is JSON is read as JSON whatever its Content-Type says: `curl --data '{…}'` without `-H`
 * (the seed's RTB example) labels it `application/x-www-form-urlencoded`, and clients copied from the
 * documents send it that way. A form body never starts with `{` or `[` (field names are words), so the
 * first character tells the two apart without guessing.
 */
export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  // The seed's own curl examples POST `Content-Type: application/json` with no body (reset_cap): that is
  // an empty body, not malformed JSON.
  const json = app.getDefaultJsonParser('error', 'error');
  const jsonOrEmpty: ContentTypeParser = (req, body, done) => {
    if (body.trim() === '') return done(null, undefined);
    json(req, body, done);
  };
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, asString(jsonOrEmpty));
  app.addContentTypeParser(
    ['text/xml', 'application/xml'],
    { parseAs: 'string' },
    asString((req, body, done) => {
      if (looksLikeJson(body)) return json(req, body, done);
      try {
        done(null, body === '' ? {} : parseXml(body));
      } catch (err) {
        done(err as Error, undefined);
      }
    }),
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    asString((req, body, done) => {
      if (looksLikeJson(body)) return json(req, body, done);
      done(null, qs.parse(body, { depth: 5, arrayLimit: 200 }));
    }),
  );
  // Any other type (text/plain, none at all): JSON if it is JSON, else the 415 it always was.
  app.addContentTypeParser(
    '*',
    { parseAs: 'string' },
    asString((req, body, done) => {
      if (body.trim() === '') return done(null, undefined);
      if (looksLikeJson(body)) return json(req, body, done);
      done(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 }), undefined);
    }),
  );
  await app.register(multipart, {
    limits: { fileSize: 20 * 1024 * 1024, files: 2, fields: 200 },
  });
  app.addHook('preValidation', async (request) => {
    if (request.isMultipart()) request.body = await readMultipart(request);
  });
}

/**
 * Reads every part into memory (the same shape @fastify/multipart's attachFieldsToBody gives). Busboy's own
 * errors (a truncated body, a missing boundary) carry no status; they are the client's malformed body.
 */
async function readMultipart(request: FastifyRequest): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = Object.create(null);
  try {
    for await (const part of request.parts()) {
      const value =
        part.type === 'file'
          ? { type: 'file', filename: part.filename, mimetype: part.mimetype, value: await part.toBuffer() }
          : { type: 'field', value: part.value };
      const prior = body[part.fieldname];
      body[part.fieldname] =
        prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
    }
  } catch (err) {
    if (typeof (err as { statusCode?: unknown }).statusCode === 'number') throw err;
    throw ValidationFailed.field('body', `is not well-formed multipart data: ${(err as Error).message}`);
  }
  return body;
}

type Done = (err: Error | null, body?: unknown) => void;
type ContentTypeParser = (req: FastifyRequest, body: string, done: Done) => void;

/** Fastify types a `parseAs: 'string'` body as `string | Buffer`; it is always a string. */
const asString =
  (parse: ContentTypeParser) =>
  (req: FastifyRequest, body: string | Buffer, done: Done): void =>
    parse(req, String(body), done);

function looksLikeJson(body: string): boolean {
  const first = body.trimStart()[0];
  return first === '{' || first === '[';
}

/** A file sent by multipart, in the shape resource schemas accept. */
export interface UploadedFile {
  file_name: string;
  content_type: string;
  b64_data: string;
}

/** Turns multipart parts into plain values and nests `campaign[message_file]` style names. */
export function flattenMultipart(body: Record<string, any>): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [name, part] of Object.entries(body)) {
    const p = Array.isArray(part) ? part[0] : part;
    if (p?.type === 'file') {
      const file: UploadedFile = {
        file_name: p.filename,
        content_type: p.mimetype ?? 'application/octet-stream',
        b64_data: (p.value as Buffer).toString('base64'),
      };
      flat[name] = file;
    } else flat[name] = p?.value ?? p;
  }
  return nestBrackets(flat);
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function nestBrackets(flat: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, any> = {};
  for (const [name, value] of Object.entries(flat)) {
    const path = name.split(/\[|\]\[|\]/).filter(Boolean);
    // `campaign[__proto__][x]` would otherwise write into Object.prototype.
    if (path.some((seg) => UNSAFE_KEYS.has(seg)))
      throw ValidationFailed.field(name, 'is not a known attribute');
    let node = out;
    path.slice(0, -1).forEach((seg) => {
      node[seg] ??= {};
      node = node[seg];
    });
    node[path[path.length - 1]] = value;
  }
  return out;
}

/**
 * Rails' wrap_parameters: `{"affiliate": {...}}` and a bare `{...}` mean the same. Returns the inner
 * object the resource schema validates.
 */
export function unwrapBody(request: FastifyRequest, wrap: string): void {
  let body = request.body as unknown;
  if (request.isMultipart()) body = flattenMultipart(body as Record<string, any>);
  if (body === undefined || body === null || body === '') {
    request.body = {};
    return;
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw ValidationFailed.field('body', `must be an object holding "${wrap}"`);
  }
  const inner = (body as Record<string, unknown>)[wrap];
  if (inner !== undefined) {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
      throw ValidationFailed.field(wrap, 'must be an object');
    }
    request.body = inner;
    return;
  }
  request.body = body;
}
