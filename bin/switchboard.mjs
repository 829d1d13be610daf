#!/usr/bin/env node
// Runs the TypeScript CLI through tsx. tsx is resolved from this package, not the caller's working
// directory, so the command works from anywhere (npm link, npx, a global install).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const child = spawn(process.execPath, ['--import', tsx, script, ...process.argv.slice(2)], { stdio: 'inherit' });

// Ctrl-C reaches the child directly (same process group) and it hangs its call up; we just wait for it.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));

child.on('error', (err) => {
  console.error(`switchboard: cannot start node: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  // A child killed by a signal exits the shell way, 128 + signal number.
  process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
});
