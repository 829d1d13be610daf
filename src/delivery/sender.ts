import { Agent, request } from 'undici';
import type { Clock } from '../clock.js';
import { applySetCookie, cookieHeader, type StoredCookie } from './cookies.js';
import type { HostLimiter } from './limiter.js';
import { isBlockedError, SSRF_BLOCKED, type SsrfGuard } from './ssrf.js';

export interface AttemptRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  /** The delivery's cookie jar, updated in place from Set-Cookie; null when it has none. */
  jar: StoredCookie[] | null;
}

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  /** Retrying the same URL can't help (SSRF refusal, unusable URL). */
  final: boolean;
  jarChanged: boolean;
}

export interface SenderOptions {
  clock: Clock;
  guard: SsrfGuard;
  limiter: HostLimiter;
  timeoutMs: number;
  maxRedirects: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

class FinalError extends Error {}

/** The key the per-host limit counts by. */
export function hostKey(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

function httpUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new FinalError(`invalid URL: ${raw.slice(0, 200)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new FinalError(`unsupported scheme ${u.protocol}`);
  return u;
}

/** Sends one attempt of a delivery, following redirects itself so every hop passes the guard and the host limit. */
export class Sender {
  readonly agent: Agent;
  private readonly controllers = new Set<AbortController>();

  constructor(private readonly opts: SenderOptions) {
    // Sockets connect only to addresses the guard checked (no DNS rebinding between check and connect).
    this.agent = new Agent({ connect: { lookup: opts.guard.lookup }, keepAliveTimeout: 4_000 });
  }

  /** `heldHost`: the worker already holds a slot for the first hop's host (released here). */
  async attempt(req: AttemptRequest, heldHost: string): Promise<AttemptResult> {
    const ac = new AbortController();
    let timedOut = false;
    // The timeout runs on the injected clock like every other timer (DESIGN.md §4).
    const cancel = this.opts.clock.schedule(this.opts.timeoutMs, () => {
      timedOut = true;
      ac.abort(new Error('timeout'));
    });
    this.controllers.add(ac);
    const state = { held: heldHost as string | null, jarChanged: false };
    try {
      const status = await this.hops(req, ac.signal, state);
      const ok = status >= 200 && status < 300;
      return { ok, status, error: ok ? null : `HTTP ${status}`, final: false, jarChanged: state.jarChanged };
    } catch (err) {
      return { ok: false, ...this.describe(err, timedOut), jarChanged: state.jarChanged };
    } finally {
      cancel();
      this.controllers.delete(ac);
      if (state.held !== null) this.opts.limiter.release(state.held);
    }
  }

  private describe(
    err: unknown,
    timedOut: boolean,
  ): { status: number | null; error: string; final: boolean } {
    if (isBlockedError(err)) return { status: null, error: SSRF_BLOCKED, final: true };
    if (err instanceof FinalError) return { status: null, error: err.message, final: true };
    if (timedOut) return { status: null, error: `timeout after ${this.opts.timeoutMs} ms`, final: false };
    const e = err as any;
    const code = e?.code ?? e?.cause?.code;
    return {
      status: null,
      error: `${code ? `${code}: ` : ''}${e?.message ?? String(err)}`.slice(0, 500),
      final: false,
    };
  }

  private async hops(
    req: AttemptRequest,
    signal: AbortSignal,
    state: { held: string | null; jarChanged: boolean },
  ) {
    const { limiter, guard, clock } = this.opts;
    let url = req.url;
    let method = req.method;
    let body = req.body;
    const baseHeaders = { ...req.headers };
    for (let hop = 0; ; hop++) {
      const u = httpUrl(url);
      const host = u.hostname.toLowerCase();
      if (state.held !== host) {
        // Give the old slot back before waiting for the new one: holding one while waiting could deadlock.
        if (state.held !== null) limiter.release(state.held);
        state.held = null;
        await limiter.acquire(host);
        state.held = host;
      }
      await guard.resolve(u.hostname);
      const headers = { ...baseHeaders };
      const cookie = req.jar ? cookieHeader(req.jar, clock.now()) : null;
      if (cookie) headers.cookie = cookie;
      const res = await request(u, {
        method: method as any,
        headers,
        body: body ?? undefined,
        dispatcher: this.agent,
        signal,
      });
      if (req.jar && applySetCookie(req.jar, res.headers['set-cookie'], clock.now())) state.jarChanged = true;
      await res.body.dump();
      const location = res.headers.location;
      if (!REDIRECTS.has(res.statusCode) || typeof location !== 'string') return res.statusCode;
      if (hop >= this.opts.maxRedirects)
        throw new Error(`too many redirects (more than ${this.opts.maxRedirects})`);
      url = new URL(location, u).href;
      // 303 always, and 301/302 after a POST in practice, turn into a body-less GET.
      if (
        res.statusCode === 303 ||
        ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = null;
        delete baseHeaders['content-type'];
      }
    }
  }

  /** Crash-like stop: every request in flight is cut off. */
  abortAll(): void {
    for (const ac of this.controllers) ac.abort(new Error('worker closed'));
  }
}
