import type { FlowConfig, MenuOptionConfig } from '../flow-config.js';
import type { CallSession } from '../session.js';

/** After the last repeat of the greeting, how long we still listen for a key. */
const LAST_KEY_GRACE_MS = 5_000;

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
  const { driver } = s.deps;
  const keyOrDone = (leg: string) => (e: { type: string; leg?: string }) =>
    e.leg === leg && (e.type === 'dtmf' || e.type === 'playDone');
  for (let i = 0; i < Math.max(1, flow.repeat); i++) {
    await driver.play(s.inLeg, flow.greeting);
    for (;;) {
      const ev = await s.waitFor(keyOrDone(s.inLeg));
      if (ev === 'timeout' || ev.type === 'playDone') break;
      if (ev.type !== 'dtmf') continue;
      s.keysPressed.push(ev.digit);
      const option = flow.menuOptions.find((o) => o.option === ev.digit);
      if (option) {
        await driver.stopPlay(s.inLeg);
        return { kind: 'option', option };
      }
    }
  }
  for (;;) {
    const ev = await s.waitFor((e) => e.type === 'dtmf' && e.leg === s.inLeg, {
      timeoutMs: LAST_KEY_GRACE_MS,
    });
    if (ev === 'timeout' || ev.type !== 'dtmf') return { kind: 'no-input' };
    s.keysPressed.push(ev.digit);
    const option = flow.menuOptions.find((o) => o.option === ev.digit);
    if (option) return { kind: 'option', option };
  }
}
