import type { FlowConfig, MenuOptionConfig } from '../../domain/flow.js';
import { promptSeconds } from '../../domain/prompt.js';
import type { Prompt } from '../../telephony/driver.js';
import { errorText } from '../commands.js';
import type { CallSession } from '../session.js';

/** After the last repeat of the greeting, how long we still listen for a key. */
const LAST_KEY_GRACE_MS = 5_000;
/** How much longer than its length a prompt may take before we stop waiting for its end. */
export const PROMPT_MARGIN_MS = 5_000;

export type MenuChoice =
  | { kind: 'option'; option: MenuOptionConfig }
  | { kind: 'routing-list' }
  | { kind: 'no-input' };

/**
 * Plays the greeting `repeat` times while listening for a menu key. Without a greeting the call takes
 * option 1 at once (the seed's default), or the flow's routing list when there is no option 1.
 */
export async function runMenu(s: CallSession, flow: FlowConfig): Promise<MenuChoice> {
  const defaultChoice = (): MenuChoice => {
    const one = flow.menuOptions.find((o) => o.option === '1');
    return one ? { kind: 'option', option: one } : { kind: 'routing-list' };
  };
  if (!flow.greeting) return defaultChoice();
  for (let i = 0; i < Math.max(1, flow.repeat); i++) {
    const heard = await playListening(s, flow.greeting, flow);
    if (heard) return heard;
  }
  for (;;) {
    const ev = await s.waitFor((e) => e.type === 'dtmf' && e.leg === s.inLeg, {
      timeoutMs: LAST_KEY_GRACE_MS,
    });
    if (ev === 'timeout' || ev.type !== 'dtmf') return { kind: 'no-input' };
    keyPressed(s, ev.digit);
    const option = flow.menuOptions.find((o) => o.option === ev.digit);
    if (option) return { kind: 'option', option };
  }
}

/**
 * Plays the greeting once while listening for keys; the choice when a key picks an option. The wait
 * ends with the prompt's own `playDone` (a late one of an earlier prompt is dropped by its command id)
 * or, should that never come, the prompt's length plus a margin. A prompt the network refuses to play
 * counts as played.
 */
async function playListening(
  s: CallSession,
  greeting: Prompt,
  flow: FlowConfig,
): Promise<MenuChoice | undefined> {
  const cmd = s.expect();
  try {
    await s.tel.play(cmd, s.inLeg, greeting);
  } catch (err) {
    s.giveUp(cmd);
    s.deps.logger.warn({ call: s.uuid, err: errorText(err) }, 'greeting not played');
    return undefined;
  }
  const deadline = s.now() + promptSeconds(greeting) * 1000 + PROMPT_MARGIN_MS;
  for (;;) {
    const ev = await s.waitFor(
      (e) =>
        'leg' in e &&
        e.leg === s.inLeg &&
        (e.type === 'dtmf' || (e.type === 'playDone' && (e.cmd === undefined || e.cmd === cmd))),
      { timeoutMs: Math.max(0, deadline - s.now()) },
    );
    if (ev === 'timeout' || ev.type === 'playDone') {
      s.giveUp(cmd);
      return undefined;
    }
    if (ev.type !== 'dtmf') continue;
    keyPressed(s, ev.digit);
    const option = flow.menuOptions.find((o) => o.option === ev.digit);
    if (option) {
      s.giveUp(cmd);
      await s.tel.stopPlay(s.inLeg);
      return { kind: 'option', option };
    }
  }
}

/** Each key is kept on the call (`keys_pressed`) and is a step of its journey of its own. */
export function keyPressed(s: CallSession, digit: string): void {
  s.keysPressed.push(digit);
  s.flow('key_pressed', { digit });
}
