/**
 * Builds the sip driver from its configuration (`SWITCHBOARD_TELEPHONY=sip`); `app.ts` attaches it to
 * the engine and starts it once the engine exists.
 */
import path from 'node:path';
import type { Clock } from '../../clock.js';
import type { SipConfig } from './config.js';
import { SipDriver } from './driver.js';
import { staticUsers } from './registrar.js';

export function sipDriverFrom(
  cfg: SipConfig,
  clock: Clock,
  dataDir: string,
  audio?: (audioId: number) => Promise<Buffer | undefined>,
): SipDriver {
  return new SipDriver({
    clock,
    listen: { host: cfg.listenHost, port: cfg.listenPort },
    publicHost: cfg.publicHost,
    publicPort: cfg.publicPort,
    trunk: cfg.trunk,
    rtpPorts: cfg.rtpPorts,
    promptDir: path.join(dataDir, 'prompts'),
    recordingsDir: path.join(dataDir, 'recordings'),
    domain: cfg.domain ?? cfg.publicHost ?? cfg.listenHost,
    passwords: cfg.users ? staticUsers(cfg.users) : undefined,
    audio,
  });
}
