/**
 * The SIP message model (RFC 3261 §7). Headers keep their order and are stored under their full,
 * lower-case names (compact forms are expanded on parse) so every lookup is one string compare.
 */
export interface Header {
  name: string;
  value: string;
}

interface MessageBase {
  headers: Header[];
  body: Buffer;
}

export interface SipRequest extends MessageBase {
  kind: 'request';
  method: string;
  uri: string;
}

export interface SipResponse extends MessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** RFC 3261 §7.3.3 and later RFCs' compact forms. */
const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  r: 'refer-to',
  b: 'referred-by',
  u: 'allow-events',
  x: 'session-expires',
};

export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
}

/** How a canonical name is written on the wire (Call-ID, CSeq, WWW-Authenticate keep their spelling). */
const SPELLING: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
};

/** Spellings already worked out: a few dozen names, written on every message (a profile hot spot). */
const spelled = new Map<string, string>();

export function wireName(name: string): string {
  let w = spelled.get(name);
  if (w !== undefined) return w;
  w =
    SPELLING[name] ?? name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
  // Names come from peers too: stop remembering past a bound rather than grow without one.
  if (spelled.size < 1000) spelled.set(name, w);
  return w;
}

export function header(msg: MessageBase, name: string): string | undefined {
  for (const h of msg.headers) if (h.name === name) return h.value;
  return undefined;
}

/** Headers that may repeat and whose values are comma lists (Via, Contact, Route, Record-Route, …). */
export function headerList(msg: MessageBase, name: string): string[] {
  const out: string[] = [];
  for (const h of msg.headers) if (h.name === name) out.push(...splitCommaList(h.value));
  return out;
}

export function setHeader(msg: MessageBase, name: string, value: string): void {
  const i = msg.headers.findIndex((h) => h.name === name);
  if (i < 0) msg.headers.push({ name, value });
  else {
    msg.headers[i] = { name, value };
    msg.headers = msg.headers.filter((h, j) => j <= i || h.name !== name);
  }
}

export function removeHeader(msg: MessageBase, name: string): void {
  msg.headers = msg.headers.filter((h) => h.name !== name);
}

/** Splits at commas outside quotes and angle brackets (a display name or a URI may hold commas). */
export function splitCommaList(value: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let angle = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') angle = true;
    else if (c === '>') angle = false;
    else if (c === ',' && !angle) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v !== '');
}

export const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  603: 'Decline',
};
