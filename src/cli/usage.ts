import { type ParseArgsConfig, parseArgs } from 'node:util';

export const USAGE = `Usage:
  switchboard demo
      Set up, in the key's company, a demo campaign to call: a publisher, two targets with virtual
      phones (sales answers, support is busy), a spoken greeting with a menu (1 sales, 2 support), a
      0-second pixel and a tracking number; prints the \`switchboard call\` line to try.

  switchboard call <to> --from <caller> [options]
      Place a call on the simulated network and follow what the caller hears
      (<to> \`demo\`: the tracking number \`switchboard demo\` made).
      --press <digits>        keys to press once the caller hears a prompt
      --hangup-after <s>      hang the caller up this many seconds after placing the call
      --max-seconds <n>       stop following (and hang up) after this long (default 120)
      The command ends when the call ends and prints a one-line summary: where the call went,
      how long it lasted, the keys pressed and the pixels fired.

  switchboard endpoint <number> [options]
      Set how a virtual endpoint behaves when the network rings it.
      --answer-after <s>      answer after this many seconds (default 2)
      --busy | --no-answer | --reject | --unreachable | --voicemail
      --hangup-after <s>      hang up this many seconds after answering
      --digits <d>            keys to press after answering (w = half-second pause)

Common options:
  --url <url>     server address (default $SWITCHBOARD_URL or http://localhost:3000)
  --key <key>     Core API key (default $SWITCHBOARD_API_KEY)
  -h, --help      show this help
`;

/** Bad command line: main prints the message and the usage text, and exits 2. */
export class UsageError extends Error {}

export const commonOptions = {
  url: { type: 'string' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** parseArgs, with its TypeErrors turned into usage errors. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function seconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} must be a number of seconds, got "${value}"`);
  return n;
}

/** Exactly one positional argument, the phone number the command is about. */
export function onePositional(positionals: string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`missing ${what}`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  return positionals[0];
}

export function connection(values: { url?: string; key?: string }) {
  const url = values.url ?? process.env.SWITCHBOARD_URL ?? 'http://localhost:3000';
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url is not a URL: "${url}"`);
  }
  return { url, key: values.key ?? process.env.SWITCHBOARD_API_KEY };
}
