/**
 * The sip driver's environment (README "Real telephony"), parsed once. Errors name the variable.
 */
import { parseHostPort, parseUri } from './headers.js';

export interface SipConfig {
  listenHost: string;
  listenPort: number;
  publicHost: string | undefined;
  publicPort: number | undefined;
  trunk: { uri: string; credentials?: { username: string; password: string } } | undefined;
  rtpPorts: [number, number];
  domain: string | undefined;
  /** `extension:password,…` for REGISTER until the users resource carries SIP passwords. */
  users: string | undefined;
}

export class SipConfigError extends Error {}

export function loadSipConfig(env: NodeJS.ProcessEnv): SipConfig {
  // Port 0 (any free port) is allowed for listening: tests and benchmarks use it.
  const rawListen = env.SIP_LISTEN || '0.0.0.0:5060';
  const listen = rawListen.endsWith(':0')
    ? { ...parseHostPort(rawListen.slice(0, -2)), port: 0 }
    : parseHostPort(rawListen);
  if (!listen?.host) throw new SipConfigError(`SIP_LISTEN must be host:port, got "${env.SIP_LISTEN}"`);
  const pub = env.SIP_PUBLIC_ADDRESS ? parseHostPort(env.SIP_PUBLIC_ADDRESS) : undefined;
  if (env.SIP_PUBLIC_ADDRESS && !pub)
    throw new SipConfigError(`SIP_PUBLIC_ADDRESS must be host[:port], got "${env.SIP_PUBLIC_ADDRESS}"`);
  const m = /^(\d+)-(\d+)$/.exec(env.RTP_PORTS || '20000-29999');
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || lo < 1024 || hi > 65535 || hi - lo < 2)
    throw new SipConfigError(`RTP_PORTS must be a range like 20000-29999, got "${env.RTP_PORTS}"`);
  return {
    listenHost: listen.host!,
    listenPort: listen.port ?? 5060,
    publicHost: pub?.host,
    publicPort: pub?.port,
    trunk: env.SIP_TRUNK ? trunk(env.SIP_TRUNK) : undefined,
    rtpPorts: [lo, hi],
    domain: env.SIP_DOMAIN || undefined,
    users: env.SIP_USERS || undefined,
  };
}

/** `sip:user:password@host:port` → the proxy URI and the Digest credentials. */
function trunk(raw: string): SipConfig['trunk'] {
  const m = /^(sips?:)(?:([^:@]+)(?::([^@]*))?@)?(.+)$/i.exec(raw.trim());
  const uri = m ? `${m[1]}${m[4]}` : '';
  if (!m || !parseUri(uri)) throw new SipConfigError(`SIP_TRUNK must be a sip: URI, got "${raw}"`);
  const username = m[2] ? decodeURIComponent(m[2]) : undefined;
  const password = m[3] !== undefined ? decodeURIComponent(m[3]) : undefined;
  return { uri, ...(username && password !== undefined ? { credentials: { username, password } } : {}) };
}
