import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import qs from 'qs';
import { ValidationFailed } from '../../domain/errors.js';
import { parseXml } from './xml.js';

/**
 * Request bodies in every form a Retreaver client sends them: JSON, XML, Rails-style form fields
 * (`affiliate[first_name]=…`) and multipart (for audio files).
 */
export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  // The seed's own curl examples POST `Content-Type: application/json` with no body (reset_cap): that is
  // an empty body, not malformed JSON.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if ((body as string).trim() === '') return done(null, undefined);
    json(req, body as string, done);
  });
  app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? {} : parseXml(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  await app.register(formbody, { parser: (str) => qs.parse(str, { depth: 5, arrayLimit: 200 }) });
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
