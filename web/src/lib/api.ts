/** The dashboard's client of the Core API and the sim API: the key goes in a header, never in a URL. */

export type FieldErrors = Record<string, string[]>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: FieldErrors = {},
  ) {
    super(message);
  }
}

export interface Credentials {
  key: string;
  companyId: number | null;
}

export interface Page<T> {
  items: T[];
  total: number;
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function buildUrl(path: string, query: Query = {}, companyId: number | null = null): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  if (companyId !== null) params.set('company_id', String(companyId));
  const qs = params.toString();
  if (!qs) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${qs}`;
}

export async function request<T>(
  creds: Credentials,
  method: string,
  path: string,
  opts: { query?: Query; body?: unknown; accept?: string } = {},
): Promise<{ body: T; headers: Headers }> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${creds.key}`,
    accept: opts.accept ?? 'application/json',
  };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query, creds.companyId), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Is Switchboard running?');
  }
  const text = await res.text();
  let body: any = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
  if (!res.ok) {
    const message =
      typeof body === 'object' && body?.error ? String(body.error) : `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, message, (typeof body === 'object' && body?.errors) || {});
  }
  return { body: body as T, headers: res.headers };
}

/** A Core API list: unwraps `[{"target": {...}}]` and reads the total from `X-Total-Count`. */
export async function list<T>(
  creds: Credentials,
  path: string,
  wrap: string | null,
  query: Query = {},
): Promise<Page<T>> {
  const { body, headers } = await request<any>(creds, 'GET', path, { query });
  const rows: any[] = Array.isArray(body) ? body : (body?.[`${wrap}s`] ?? []);
  const items = rows.map((r) => (wrap && r && typeof r === 'object' && wrap in r ? r[wrap] : r)) as T[];
  const total = Number(headers.get('x-total-count') ?? items.length);
  return { items, total };
}

/** Every page of a Core API list (25 a page); for the small lists the forms pick from. */
export async function listAll<T>(creds: Credentials, path: string, wrap: string): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; page <= 40; page++) {
    const { items, total } = await list<T>(creds, path, wrap, { page });
    out.push(...items);
    if (items.length === 0 || out.length >= total) break;
  }
  return out;
}
