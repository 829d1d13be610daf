import { callCommand } from './call.js';
import { ConnectionError, ServerError } from './client.js';
import { demoCommand } from './demo.js';
import { endpointCommand } from './endpoint.js';
import { USAGE, UsageError } from './usage.js';

/**
 * The `switchboard` command line: drives a running server's simulated network over HTTP.
 * Exit codes: 0 done, 1 the server refused or could not be reached, 2 bad command line, 130 interrupted.
 */
export async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const [command, ...rest] = argv;
  try {
    if (command === '--help' || command === '-h' || command === 'help') {
      out(USAGE.trimEnd());
      return 0;
    }
    if (command === 'call') return await callCommand(rest, out);
    if (command === 'endpoint') return await endpointCommand(rest, out);
    if (command === 'demo') return await demoCommand(rest, out);
    throw new UsageError(command === undefined ? 'missing command' : `unknown command "${command}"`);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`switchboard: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof ServerError || err instanceof ConnectionError) {
      process.stderr.write(`switchboard: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

// exitCode rather than exit(), so buffered output to a pipe is flushed first.
process.exitCode = await main(process.argv.slice(2));
