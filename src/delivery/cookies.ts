import type { Conn } from '../store/db.js';

/** A stored cookie: attributes other than expiry are ignored (a jar belongs to one call's pixels). */
export interface StoredCookie {
  name: string;
  value: string;
  expires: number | null;
}

export async function loadJar(conn: Conn, key: string, now: number): Promise<StoredCookie[]> {
  const row = await conn
    .selectFrom('delivery_cookie_jars')
    .select('cookies')
    .where('jar_key', '=', key)
    .executeTakeFirst();
  if (!row) return [];
  const cookies = JSON.parse(row.cookies) as StoredCookie[];
  return cookies.filter((c) => c.expires === null || c.expires > now);
}

export async function saveJar(conn: Conn, key: string, cookies: StoredCookie[], now: number): Promise<void> {
  const json = JSON.stringify(cookies);
  await conn
    .insertInto('delivery_cookie_jars')
    .values({ jar_key: key, cookies: json, updated_at: now })
    .onConflict((oc) => oc.column('jar_key').doUpdateSet({ cookies: json, updated_at: now }))
    .execute();
}

export function cookieHeader(cookies: StoredCookie[], now: number): string | null {
  const live = cookies.filter((c) => c.expires === null || c.expires > now);
  return live.length ? live.map((c) => `${c.name}=${c.value}`).join('; ') : null;
}

/** Applies Set-Cookie header values to `jar` (in place); returns whether anything changed. */
export function applySetCookie(
  jar: StoredCookie[],
  header: string | string[] | undefined,
  now: number,
): boolean {
  if (!header) return false;
  let changed = false;
  for (const line of Array.isArray(header) ? header : [header]) {
    const parsed = parseSetCookie(line, now);
    if (!parsed) continue;
    const i = jar.findIndex((c) => c.name === parsed.name);
    if (i >= 0) jar.splice(i, 1);
    if (parsed.expires === null || parsed.expires > now) jar.push(parsed);
    changed = true;
  }
  return changed;
}

function parseSetCookie(line: string, now: number): StoredCookie | null {
  const [pair, ...attrs] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return null;
  const cookie: StoredCookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    expires: null,
  };
  let maxAge: number | null = null;
  for (const attr of attrs) {
    const [k, v = ''] = attr.split('=');
    const key = k.trim().toLowerCase();
    if (key === 'max-age' && /^-?\d+$/.test(v.trim())) maxAge = Number(v.trim());
    if (key === 'expires') {
      const t = Date.parse(v.trim());
      if (!Number.isNaN(t)) cookie.expires = t;
    }
  }
  // Max-Age wins over Expires (RFC 6265 §5.3) and counts from our clock, not the receiver's.
  if (maxAge !== null) cookie.expires = now + maxAge * 1000;
  return cookie;
}
