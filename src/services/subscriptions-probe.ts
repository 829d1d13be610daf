import { Agent, request } from 'undici';
import type { SsrfGuard } from '../delivery/ssrf.js';
import type { ValidationProbe } from './subscriptions.js';

const PROBE_TIMEOUT_MS = 5_000;

/**
 * The WebHook handshake request, through the same SSRF guard as every delivery: a subscriber's address is
 * a URL a customer wrote, so it may not reach private addresses unless DELIVERY_ALLOW says so.
 */
export function guardedValidationProbe(guard: SsrfGuard, timeoutMs = PROBE_TIMEOUT_MS): ValidationProbe {
  const agent = new Agent({ connect: { lookup: guard.lookup }, maxResponseSize: 64 * 1024 });
  return async (url, token) => {
    const u = new URL(url);
    await guard.resolve(u.hostname);
    const res = await request(u, {
      method: 'POST',
      headers: { 'validation-token': token, 'content-type': 'application/json' },
      body: '',
      dispatcher: agent,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    const echoed = res.headers['validation-token'];
    return { status: res.statusCode, echoed: Array.isArray(echoed) ? echoed[0] : echoed };
  };
}
