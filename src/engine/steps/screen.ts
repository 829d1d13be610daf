import { phoneInfo, toE164 } from '../../domain/phone.js';
import type { CallSession } from '../session.js';
import { keyPressed } from './menu.js';

const RESUBSCRIBE_PROMPT =
  'You have asked not to receive calls from us. To be able to reach us again, press 7.';
const RESUBSCRIBE_WAIT_MS = 10_000;

/**
 * Suppressed callers are blocked; one allowed to resubscribe hears a prompt and may press 7 to lift the
 * block and go on. Returns false when the call must end here.
 */
export async function passSuppression(s: CallSession): Promise<boolean> {
  const { store } = s.deps;
  const row = await store.suppression(s.companyId, s.caller);
  if (!row || (row.campaignId !== null && row.campaignId !== s.ctx.flow.campaignId)) return true;
  if (!row.canResubscribe) {
    s.flow('suppressed', { can_resubscribe: false, status: 'blocked' });
    return false;
  }
  const cmd = s.expect();
  try {
    await s.tel.play(cmd, s.inLeg, { kind: 'tts', text: RESUBSCRIBE_PROMPT, voice: 'Female' });
  } catch {
    // The caller hears nothing to press 7 for: the block stands.
    s.giveUp(cmd);
    s.flow('suppressed', { can_resubscribe: true, status: 'blocked' });
    return false;
  }
  const ev = await s.waitFor((e) => e.type === 'dtmf' && e.leg === s.inLeg, {
    timeoutMs: RESUBSCRIBE_WAIT_MS + 5_000,
  });
  s.giveUp(cmd);
  if (ev === 'timeout' || ev.type !== 'dtmf' || ev.digit !== '7') {
    s.flow('suppressed', { can_resubscribe: true, status: 'blocked' });
    return false;
  }
  keyPressed(s, '7');
  s.flow('suppressed', { can_resubscribe: true, status: 'resubscribed' });
  await s.tel.stopPlay(s.inLeg);
  await store.liftSuppression(row.id);
  return true;
}

/**
 * A caller id shared by a whole call center is replaced by a random one for the outbound legs, so the
 * call control API can tell those calls apart (`caller_number_sent`).
 */
export async function randomizeStaticCaller(s: CallSession): Promise<void> {
  if (!(await s.deps.store.isStaticCaller(s.companyId, s.caller))) return;
  const area = phoneInfo(s.caller).areaCode ?? '202';
  for (let i = 0; i < 50; i++) {
    const exchange = 200 + Math.floor(s.deps.random() * 800);
    const line = String(Math.floor(s.deps.random() * 10_000)).padStart(4, '0');
    const candidate = toE164(`+1${area}${exchange}${line}`);
    if (candidate && candidate !== s.caller) {
      s.callerNumberSent = candidate;
      s.flow('static_caller', { caller_number_sent: candidate });
      return;
    }
  }
}

/** Tags a call starts with: the caller's geography and the tags of the contact the caller is. */
export async function initialTags(s: CallSession): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  const info = phoneInfo(s.caller);
  const geo = [info.areaCode, info.country?.toLowerCase()].filter(Boolean);
  if (geo.length) tags.geo = geo.join(',');
  for (const r of await s.deps.store.contactTags(s.companyId, s.caller))
    tags[r.key] = tags[r.key] && tags[r.key] !== r.value ? `${tags[r.key]},${r.value}` : r.value;
  return tags;
}
