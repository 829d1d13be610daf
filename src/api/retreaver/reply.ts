import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Page } from '../../store/paging.js';
import type { WireError } from './errors.js';
import { CONTENT_TYPES, type Format, negotiate, originalUrl } from './format.js';
import { toXml } from './xml.js';

declare module 'fastify' {
  interface FastifyRequest {
    format: Format;
  }
}

/** Sends a payload in the request's negotiated format. `root` names the XML root of lists and bare hashes. */
export function send(reply: FastifyReply, payload: unknown, opts: { status?: number; root?: string } = {}) {
  const format = reply.request.format ?? negotiate(reply.request.raw) ?? 'json';
  reply.code(opts.status ?? 200).header('content-type', CONTENT_TYPES[format]);
  if (format === 'xml') return reply.send(toXml(payload, opts.root));
  // Objects go to Fastify's serializer: the route's compiled response schema when it has one for this
  // status, JSON.stringify otherwise. Anything else (a bare string) is written as JSON here.
  return reply.send(typeof payload === 'object' && payload !== null ? payload : JSON.stringify(payload));
}

export function sendError(reply: FastifyReply, err: WireError) {
  for (const [k, v] of Object.entries(err.headers ?? {})) reply.header(k, v);
  return send(reply, err.body, { status: err.status, root: 'error' });
}

/** Sends one page of a list with its RFC 8288 Link header (first, prev, next, last). */
export function sendPage<T>(reply: FastifyReply, page: Page<T>, present: (row: T) => unknown, root: string) {
  reply.header('link', linkHeader(reply.request, page));
  reply.header('x-total-count', String(page.total));
  return send(reply, page.rows.map(present), { root });
}

export function linkHeader(request: FastifyRequest, page: Pick<Page<unknown>, 'page' | 'lastPage'>): string {
  const url = new URL(originalUrl(request.raw), `${request.protocol}://${request.host}`);
  const at = (n: number) => {
    url.searchParams.set('page', String(n));
    return url.toString();
  };
  const links: string[] = [`<${at(1)}>; rel="first"`];
  if (page.page > 1) links.push(`<${at(Math.min(page.page - 1, page.lastPage))}>; rel="prev"`);
  if (page.page < page.lastPage) links.push(`<${at(page.page + 1)}>; rel="next"`);
  links.push(`<${at(page.lastPage)}>; rel="last"`);
  return links.join(', ');
}
