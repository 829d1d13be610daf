import { type Client, client, ServerError } from './client.js';
import { demoNumber } from './demo.js';
import { follow } from './follow.js';
import { callSummary } from './summary.js';
import { makeTicker } from './ticker.js';
import { commonOptions, connection, onePositional, parse, seconds, USAGE, UsageError } from './usage.js';

export interface CallPlan {
  to: string;
  from: string;
  press?: string;
  hangupAfter?: number;
  maxSeconds: number;
}

export type Out = (line: string) => void;

/** `switchboard call <to> --from <caller> ...`; returns the exit code. */
export async function callCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(args, {
    ...commonOptions,
    from: { type: 'string' },
    press: { type: 'string' },
    'hangup-after': { type: 'string' },
    'max-seconds': { type: 'string' },
  });
  if (values.help) {
    out(USAGE.trimEnd());
    return 0;
  }
  const to = onePositional(positionals, 'the number to call');
  if (!values.from) throw new UsageError('missing --from <caller>');
  if (values.press !== undefined && !/^[0-9*#wW]{1,64}$/.test(values.press)) {
    throw new UsageError('--press may hold only 0-9 * # w (1 to 64 keys)');
  }
  const plan: CallPlan = {
    to,
    from: values.from,
    press: values.press,
    hangupAfter: seconds('hangup-after', values['hangup-after']),
    maxSeconds: seconds('max-seconds', values['max-seconds']) ?? 120,
  };
  const { url, key } = connection(values);
  const api = client(url, key);
  if (plan.to === 'demo') plan.to = await demoNumber(api);
  return runCall(api, plan, out);
}

export async function runCall(api: Client, plan: CallPlan, out: Out): Promise<number> {
  const tick = await makeTicker(api);
  const placed = await api
    .post<{ id: string; call_uuid: string }>('/sim/calls', { from: plan.from, to: plan.to })
    .catch((err) => {
      // The bare 404 does not say which thing was not found; here it can only be the number.
      if (err instanceof ServerError && err.status === 404)
        err.message += ` (${plan.to} is not a number this key can see)`;
      throw err;
    });
  out(
    `calling ${plan.to} from ${plan.from} (sim call ${placed.id}, call ${placed.call_uuid}, ${tick.kind} clock)`,
  );
  // Ctrl-C should not leave a virtual caller on the line.
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSigint);
  try {
    await follow(api, placed.id, plan, tick, out, () => interrupted);
  } finally {
    process.off('SIGINT', onSigint);
  }
  out(await callSummary(api, placed.call_uuid));
  return interrupted ? 130 : 0;
}
