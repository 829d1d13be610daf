import type { CallPlan, Out } from './call.js';
import { type Client, ServerError } from './client.js';
import type { Ticker } from './ticker.js';
import { type CallView, describe } from './view.js';

/** If no prompt has come by now, --press keys are sent anyway (the call may go straight to a target). */
const PRESS_DEADLINE_S = 3;

/**
 * Watches one sim call until it ends, printing a line whenever what the caller hears changes, pressing
 * the planned keys and hanging up when the plan (or the user) says so.
 */
export async function follow(
  api: Client,
  id: string,
  plan: CallPlan,
  tick: Ticker,
  out: Out,
  interrupted: () => boolean,
) {
  const path = `/sim/calls/${encodeURIComponent(id)}`;
  let last = '';
  const report = (view: CallView) => {
    const line = describe(view);
    if (line !== last) out(`  ${Math.floor(tick.elapsed())}s  ${line}`);
    last = line;
  };
  const note = (text: string) => out(`  ${Math.floor(tick.elapsed())}s  (${text})`);
  const hangup = async () =>
    report(
      await tolerate(
        () => api.post<CallView>(`${path}/hangup`),
        () => api.get<CallView>(path),
        note,
      ),
    );

  let view = await api.get<CallView>(path);
  let toPress = plan.press;
  for (;;) {
    report(view);
    if (view.state === 'ended') return;
    const t = tick.elapsed();
    if (toPress !== undefined && readyForKeys(view, t)) {
      const digits = toPress;
      toPress = undefined;
      note(`pressing ${digits}`);
      view = await tolerate(
        () => api.post<CallView>(`${path}/digits`, { digits }),
        () => api.get<CallView>(path),
        note,
      );
      continue;
    }
    if (interrupted()) {
      note('interrupted; hanging up');
      return hangup();
    }
    if (plan.hangupAfter !== undefined && t >= plan.hangupAfter) {
      note('hanging up');
      return hangup();
    }
    if (t >= plan.maxSeconds) {
      note(`--max-seconds ${plan.maxSeconds} reached; hanging up`);
      return hangup();
    }
    await tick.step();
    view = await api.get<CallView>(path);
  }
}

/** Keys go in once a prompt asks for them, or when the caller is talking to someone, or when no prompt came in time. */
function readyForKeys(view: CallView, elapsed: number): boolean {
  // The network refuses keys on a leg nobody has answered yet.
  if (view.state !== 'answered') return false;
  const kind = view.hearing.kind;
  return kind === 'prompt' || kind === 'connected' || elapsed >= PRESS_DEADLINE_S;
}

/**
 * The call can end between our look and our action (the target hangs up, say); the server then answers
 * 400/404. That is part of following a live call, not a failure of the command, so we note it and look again.
 */
async function tolerate(
  act: () => Promise<CallView>,
  look: () => Promise<CallView>,
  note: (t: string) => void,
) {
  try {
    return await act();
  } catch (err) {
    if (!(err instanceof ServerError) || err.status >= 500) throw err;
    note(`server said: ${err.error}`);
    return look();
  }
}
