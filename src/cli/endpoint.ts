import type { Out } from './call.js';
import { client } from './client.js';
import { commonOptions, connection, onePositional, parse, seconds, USAGE, UsageError } from './usage.js';

/** `switchboard endpoint <number> ...`: how the network's virtual phone at that number behaves. */
export async function endpointCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(args, {
    ...commonOptions,
    'answer-after': { type: 'string' },
    'hangup-after': { type: 'string' },
    digits: { type: 'string' },
    busy: { type: 'boolean' },
    'no-answer': { type: 'boolean' },
    reject: { type: 'boolean' },
    unreachable: { type: 'boolean' },
    voicemail: { type: 'boolean' },
  });
  if (values.help) {
    out(USAGE.trimEnd());
    return 0;
  }
  const number = onePositional(positionals, 'the endpoint number');
  if (values.digits !== undefined && !/^[0-9*#wW]*$/.test(values.digits))
    throw new UsageError('--digits may hold only 0-9 * # w');
  // Only what was given is sent, so the server's defaults stay the single source of truth.
  const body = Object.fromEntries(
    Object.entries({
      number,
      answer_after_s: seconds('answer-after', values['answer-after']),
      hangup_after_s: seconds('hangup-after', values['hangup-after']),
      digits: values.digits,
      busy: values.busy,
      no_answer: values['no-answer'],
      reject: values.reject,
      unreachable: values.unreachable,
      voicemail: values.voicemail,
    }).filter(([, v]) => v !== undefined),
  );
  const { url, key } = connection(values);
  const res = await client(url, key).post<{ endpoint: Record<string, unknown> }>('/sim/endpoints', body);
  const { number: address, ...behaviour } = res.endpoint;
  const settings = Object.entries(behaviour).map(([k, v]) => (v === true ? k : `${k}=${v}`));
  out(`endpoint ${address}: ${settings.join(' ') || 'default behaviour (answers after 2s)'}`);
  return 0;
}
