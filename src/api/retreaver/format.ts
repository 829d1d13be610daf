import type { IncomingMessage } from 'node:http';

/**
 * Retreaver picks the format by extension (`/affiliates.json`, `/affiliates.xml`) and, without one, by the
 * Accept header. We strip the extension before routing so each route is declared once.
 */
export type Format = 'json' | 'xml';
type Ext = Format | 'csv' | 'unacceptable';

interface Tagged extends IncomingMessage {
  switchboardExt?: Ext;
  switchboardOriginalUrl?: string;
}

// Extensions a client could mean as a format. Other dots (sip:user@host.com) stay part of the path.
const OTHER_FORMATS = new Set([
  'csv',
  'html',
  'htm',
  'txt',
  'text',
  'yaml',
  'yml',
  'pdf',
  'js',
  'xls',
  'xlsx',
  'rss',
  'atom',
]);

/**
 * Paths of faces other than Retreaver's. They take no `.json` / `.xml` extension, and their own dots are
 * real file names (`/docs/static/swagger-ui-bundle.js`, the dashboard's `/assets/index-….js`), so the
 * format rule leaves them alone.
 * `/openapi.json` is not among them: the document is served by extension like a Core API resource.
 */
const OTHER_FACES = /^\/(sim|docs|healthz|restapi|apps|assets|live)(\/|$)/;

export function rewriteUrl(req: IncomingMessage): string {
  const raw = req.url ?? '/';
  const tagged = req as Tagged;
  tagged.switchboardOriginalUrl = raw;
  const q = raw.indexOf('?');
  const pathPart = q === -1 ? raw : raw.slice(0, q);
  const query = q === -1 ? '' : raw.slice(q);
  if (OTHER_FACES.test(pathPart)) return raw;
  const m = /\.([A-Za-z0-9]+)$/.exec(pathPart);
  if (!m) return raw;
  const ext = m[1].toLowerCase();
  if (ext === 'json' || ext === 'xml' || ext === 'csv') tagged.switchboardExt = ext;
  else if (OTHER_FORMATS.has(ext)) tagged.switchboardExt = 'unacceptable';
  else return raw;
  return pathPart.slice(0, -m[0].length) + query;
}

export function originalUrl(req: IncomingMessage): string {
  return (req as Tagged).switchboardOriginalUrl ?? req.url ?? '/';
}

/** The response format, or undefined when the client asked for something we cannot give (406). */
export function negotiate(req: IncomingMessage): Format | undefined {
  const ext = (req as Tagged).switchboardExt;
  if (ext === 'unacceptable' || ext === 'csv') return undefined;
  if (ext) return ext;
  const accept = (req.headers.accept ?? '').toLowerCase();
  if (!accept.trim()) return 'json';
  const types = accept.split(',').map((part) => part.split(';')[0].trim());
  for (const t of types) {
    if (t === 'application/json' || t === '*/*' || t === 'application/*') return 'json';
    if (t === 'text/xml' || t === 'application/xml' || t === 'text/*') return 'xml';
  }
  return undefined;
}

/**
 * Whether the client asked for CSV (`.csv`, or `Accept: text/csv` without an extension). Only routes that
 * declare `config.csv` (the reports) answer it; everywhere else CSV is a 406 like any other format.
 */
export function wantsCsv(req: IncomingMessage): boolean {
  const ext = (req as Tagged).switchboardExt;
  if (ext) return ext === 'csv';
  return (req.headers.accept ?? '')
    .toLowerCase()
    .split(',')
    .some((part) => part.split(';')[0].trim() === 'text/csv');
}

export const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};
