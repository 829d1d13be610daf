import net from 'node:net';
import type { TestApp } from './app.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  body: any;
}

/** What curl 8 adds to every request it sends (no Content-Type unless -d/-H sets one). */
export const CURL_HEADERS = 'User-Agent: curl/8.5.0\r\nAccept: */*\r\n';

/**
 * Sends exactly these bytes to the app over TCP and reads the answer: a request as a client copied from
 * the documents writes it, with nothing added by a test helper. `Connection: close` is appended to the
 * headers so the server ends the answer by closing (the client must not half-close first: Node drops
 * a request whose socket ended before the answer was written).
 */
export async function rawRequest(t: TestApp, head: string, body = ''): Promise<RawResponse> {
  if (!t.app.http.server.listening) await t.app.http.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.http.server.address() as net.AddressInfo;
  const bytes = Buffer.concat([
    Buffer.from(`${head.replace(/\r\n$/, '')}\r\nConnection: close\r\n\r\n`, 'latin1'),
    Buffer.from(body, 'utf8'),
  ]);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
  const text = raw.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const payload = text.slice(split + 4);
  const isJson = (headers['content-type'] ?? '').includes('json') && payload !== '';
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    text: payload,
    body: isJson ? JSON.parse(payload) : payload,
  };
}

/** A curl request line and headers: `curl -X METHOD url [-H …]` (`-d` adds Content-Length and, unless -H says otherwise, the form type). */
export function curl(method: string, pathAndQuery: string, extra: string[] = [], body?: string): string {
  const lines = [`${method} ${pathAndQuery} HTTP/1.1`, 'Host: api.retreaver.test'];
  lines.push(CURL_HEADERS.trimEnd());
  lines.push(...extra);
  if (body !== undefined) {
    if (!extra.some((h) => /^content-type:/i.test(h)))
      lines.push('Content-Type: application/x-www-form-urlencoded');
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  return lines.join('\r\n');
}
