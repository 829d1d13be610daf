/**
 * Parsers for the structured header values the stack reads (RFC 3261 §25.1 grammar, leniently).
 * Each returns undefined rather than throwing, so a malformed header becomes a 400, never a crash.
 */
export type Params = Record<string, string | null>;

export interface Via {
  transport: string;
  host: string;
  port: number | undefined;
  params: Params;
}

export interface NameAddr {
  display: string | undefined;
  uri: string;
  params: Params;
}

export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel';
  user: string | undefined;
  host: string;
  port: number | undefined;
  params: Params;
}

const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;

export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

/** `;a=b;c;d="x"` → {a:'b', c:null, d:'x'} (names lower-cased, quotes removed). */
export function parseParams(s: string): Params {
  const out: Params = {};
  for (const part of splitOutsideQuotes(s, ';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) out[p.toLowerCase()] = null;
    else out[p.slice(0, eq).trim().toLowerCase()] = unquote(p.slice(eq + 1).trim());
  }
  return out;
}

export function formatParams(params: Params): string {
  let s = '';
  for (const [k, v] of Object.entries(params)) s += v === null ? `;${k}` : `;${k}=${v}`;
  return s;
}

export function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1).replace(/\\(.)/g, '$1');
  return s;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === sep) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/** `host`, `host:port`, `[v6]:port` → parts; undefined when the port is not a port. */
export function parseHostPort(s: string): { host: string; port: number | undefined } | undefined {
  const t = s.trim();
  let host: string;
  let rest: string;
  if (t.startsWith('[')) {
    const end = t.indexOf(']');
    if (end < 0) return undefined;
    host = t.slice(0, end + 1);
    rest = t.slice(end + 1);
  } else {
    const colon = t.indexOf(':');
    host = colon < 0 ? t : t.slice(0, colon);
    rest = colon < 0 ? '' : t.slice(colon);
  }
  if (!host || /[\s;,<>"]/.test(host)) return undefined;
  if (rest === '') return { host, port: undefined };
  if (!/^:\d{1,5}$/.test(rest)) return undefined;
  const port = Number(rest.slice(1));
  return port > 0 && port < 65536 ? { host, port } : undefined;
}

/** `SIP/2.0/UDP host:port;branch=z9hG4bK…;rport`. */
export function parseVia(value: string): Via | undefined {
  const m = /^\s*SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^;]+)(.*)$/i.exec(value);
  if (!m) return undefined;
  const hp = parseHostPort(m[2]);
  if (!hp) return undefined;
  return { transport: m[1].toUpperCase(), host: hp.host, port: hp.port, params: parseParams(m[3]) };
}

export function formatVia(v: Via): string {
  return `SIP/2.0/${v.transport} ${v.host}${v.port ? `:${v.port}` : ''}${formatParams(v.params)}`;
}

/** `"Bob" <sip:bob@b.example>;tag=x` or the bare `sip:bob@b.example;tag=x` form (§20.10). */
export function parseNameAddr(value: string): NameAddr | undefined {
  const v = value.trim();
  const lt = findUnquoted(v, '<');
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    if (gt < 0) return undefined;
    const display = unquote(v.slice(0, lt).trim()) || undefined;
    const uri = v.slice(lt + 1, gt).trim();
    if (!uri) return undefined;
    return { display, uri, params: parseParams(v.slice(gt + 1)) };
  }
  // Without angle brackets the header parameters start at the first ';' (the URI has no params).
  const semi = v.indexOf(';');
  const uri = (semi < 0 ? v : v.slice(0, semi)).trim();
  if (!uri || /\s/.test(uri) || !uri.includes(':')) return undefined;
  return { display: undefined, uri, params: semi < 0 ? {} : parseParams(v.slice(semi)) };
}

export function formatNameAddr(na: NameAddr): string {
  const display = na.display ? `"${na.display.replace(/(["\\])/g, '\\$1')}" ` : '';
  return `${display}<${na.uri}>${formatParams(na.params)}`;
}

function findUnquoted(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === ch) return i;
  }
  return -1;
}

export function parseCSeq(value: string): { seq: number; method: string } | undefined {
  const m = /^\s*(\d{1,10})\s+([A-Za-z0-9.!%*_+`'~-]+)\s*$/.exec(value);
  if (!m) return undefined;
  const seq = Number(m[1]);
  return seq < 2 ** 31 ? { seq, method: m[2] } : undefined;
}

/** `sip:user:pass@host:port;params?headers` (the password and URI headers are dropped). */
export function parseUri(uri: string): SipUri | undefined {
  const m = /^(sips?|tel):(.*)$/i.exec(uri.trim());
  if (!m) return undefined;
  const scheme = m[1].toLowerCase() as SipUri['scheme'];
  let rest = m[2];
  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  if (scheme === 'tel') {
    const semi = rest.indexOf(';');
    const number = semi < 0 ? rest : rest.slice(0, semi);
    if (!number) return undefined;
    return {
      scheme,
      user: number,
      host: '',
      port: undefined,
      params: semi < 0 ? {} : parseParams(rest.slice(semi)),
    };
  }
  const at = rest.lastIndexOf('@');
  let user: string | undefined;
  if (at >= 0) {
    user = rest.slice(0, at).split(':')[0];
    rest = rest.slice(at + 1);
  }
  const semi = rest.indexOf(';');
  const hp = parseHostPort(semi < 0 ? rest : rest.slice(0, semi));
  if (!hp) return undefined;
  return {
    scheme,
    user: user ? decodeUser(user) : undefined,
    ...hp,
    params: semi < 0 ? {} : parseParams(rest.slice(semi)),
  };
}

function decodeUser(u: string): string {
  try {
    return decodeURIComponent(u);
  } catch {
    return u;
  }
}

export function formatUri(u: SipUri): string {
  if (u.scheme === 'tel') return `tel:${u.user}${formatParams(u.params)}`;
  const user = u.user ? `${u.user}@` : '';
  return `${u.scheme}:${user}${u.host}${u.port ? `:${u.port}` : ''}${formatParams(u.params)}`;
}

/** `Digest realm="x", nonce="y", qop="auth"` → {scheme:'digest', params}. */
export function parseAuth(value: string): { scheme: string; params: Record<string, string> } | undefined {
  const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(value);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const part of splitOutsideQuotes(m[2], ',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    params[part.slice(0, eq).trim().toLowerCase()] = unquote(part.slice(eq + 1).trim());
  }
  return { scheme: m[1].toLowerCase(), params };
}
