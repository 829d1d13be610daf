/** A failure the server reported: its `{status, error, errors}` body, named after the request that got it. */
export class ServerError extends Error {
  constructor(
    readonly request: string,
    readonly status: number,
    readonly error: string,
    readonly errors?: Record<string, string[]>,
  ) {
    super(`${request} → ${status} ${error}${fieldText(errors)}`);
  }
}

/** The server could not be reached at all (wrong URL, not running). */
export class ConnectionError extends Error {}

function fieldText(errors?: Record<string, string[]>): string {
  if (!errors || Object.keys(errors).length === 0) return '';
  return ` (${Object.entries(errors)
    .map(([field, msgs]) => `${field} ${msgs.join(', ')}`)
    .join('; ')})`;
}

export interface Client {
  get<T = any>(path: string): Promise<T>;
  post<T = any>(path: string, body?: unknown): Promise<T>;
}

/** JSON over HTTP with a Core API key; the key goes in a header so it never lands in access logs as a query. */
export function client(baseUrl: string, key: string | undefined): Client {
  const send = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const request = `${method} ${path}`;
    let res: Response;
    try {
      res = await fetch(new URL(path, baseUrl), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ConnectionError(`cannot reach ${baseUrl} (${causeOf(err)})`);
    }
    const text = await res.text();
    const parsed = parseJson(text);
    if (!res.ok)
      throw new ServerError(
        request,
        res.status,
        parsed?.error ?? (text.trim() || res.statusText),
        parsed?.errors,
      );
    return parsed;
  };
  return { get: (path) => send('GET', path), post: (path, body) => send('POST', path, body ?? {}) };
}

function parseJson(text: string): any {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

// fetch hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`.
function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? String((err as Error)?.message ?? err);
}
