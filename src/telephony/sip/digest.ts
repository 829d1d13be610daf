/**
 * HTTP Digest for SIP (RFC 3261 §22, RFC 2617 with qop=auth): answering a trunk's challenge and
 * challenging REGISTERs. Nonces are stateless (time + HMAC), so any node can check one it issued.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseAuth } from './headers.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export interface Credentials {
  username: string;
  password: string;
}

export function digestResponse(p: {
  username: string;
  password: string;
  realm: string;
  method: string;
  uri: string;
  nonce: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
}): string {
  const ha1 = md5(`${p.username}:${p.realm}:${p.password}`);
  const ha2 = md5(`${p.method}:${p.uri}`);
  return p.qop
    ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`)
    : md5(`${ha1}:${p.nonce}:${ha2}`);
}

/** The Authorization value answering a WWW-/Proxy-Authenticate challenge, or undefined if not Digest. */
export function authorize(
  challenge: string,
  creds: Credentials,
  method: string,
  uri: string,
): string | undefined {
  const c = parseAuth(challenge);
  if (c?.scheme !== 'digest' || !c.params.nonce) return undefined;
  const realm = c.params.realm ?? '';
  const qop = c.params.qop
    ?.split(',')
    .map((q) => q.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const response = digestResponse({ ...creds, realm, method, uri, nonce: c.params.nonce, qop, nc, cnonce });
  let v = `Digest username="${creds.username}", realm="${realm}", nonce="${c.params.nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
  if (c.params.opaque !== undefined) v += `, opaque="${c.params.opaque}"`;
  if (qop) v += `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"`;
  return v;
}

const NONCE_TTL_MS = 5 * 60_000;

/** Issues and checks challenges for one realm. */
export class DigestChallenger {
  private readonly key = randomBytes(32);

  constructor(
    readonly realm: string,
    private readonly now: () => number,
  ) {}

  challenge(stale = false): string {
    const t = this.now().toString(36);
    const nonce = `${t}.${this.sign(t)}`;
    return `Digest realm="${this.realm}", nonce="${nonce}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  }

  /** 'ok', 'stale' (a good but old nonce: challenge again), or 'bad'. */
  verify(
    authorization: string,
    method: string,
    password: (user: string) => string | undefined,
  ): {
    result: 'ok' | 'stale' | 'bad';
    username?: string;
  } {
    const a = parseAuth(authorization);
    if (a?.scheme !== 'digest') return { result: 'bad' };
    const { username, nonce, uri, response, qop, nc, cnonce, realm } = a.params;
    if (!username || !nonce || !uri || !response || realm !== this.realm) return { result: 'bad' };
    const [t, sig] = nonce.split('.');
    if (!t || !sig || !safeEqual(sig, this.sign(t))) return { result: 'bad' };
    const pw = password(username);
    if (pw === undefined) return { result: 'bad', username };
    const expected = digestResponse({ username, password: pw, realm, method, uri, nonce, qop, nc, cnonce });
    if (!safeEqual(expected, response.toLowerCase())) return { result: 'bad', username };
    if (this.now() - Number.parseInt(t, 36) > NONCE_TTL_MS) return { result: 'stale', username };
    return { result: 'ok', username };
  }

  private sign(t: string): string {
    return createHmac('sha256', this.key).update(`${this.realm}:${t}`).digest('hex').slice(0, 32);
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
