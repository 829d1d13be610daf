#!/usr/bin/env node
// The `switchboard` command. It runs the compiled CLI in this very process when dist/ is current (after
// `npm run build` or a first `npm start`), and otherwise the TypeScript sources through tsx, resolved from
// this package rather than the caller's working directory so the command works from anywhere.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { distIsCurrent } from '../scripts/dist-state.mjs';

if (distIsCurrent()) {
  await import('../dist/cli/main.js');
} else {
  runSources();
}

function runSources() {
  const script = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    console.error('switchboard: dist/ is missing or stale and tsx is not installed; run `npm run build`');
    process.exit(1);
  }
  const args = ['--import', tsx, script, ...process.argv.slice(2)];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
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
}
