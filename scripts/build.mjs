#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ with the TypeScript compiler (tsconfig.build.json) and builds the
// dashboard (web/) to web/dist/ with Vite. `--if-stale` (run by `npm start` first) builds only what is not
// current, so `npm ci && npm start` on a fresh clone builds once and later starts go straight to
// `node dist/main.js`. `--server` / `--web` build one of the two.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DIST, distIsCurrent, ROOT, STAMP, WEB_DIST, WEB_STAMP, webIsCurrent } from './dist-state.mjs';

const args = process.argv.slice(2);
const ifStale = args.includes('--if-stale');
const only = args.includes('--server') ? 'server' : args.includes('--web') ? 'web' : undefined;
const require = createRequire(import.meta.url);

function binOf(pkg, bin) {
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), bin);
  } catch {
    console.error(`switchboard: building needs the dev dependencies (${pkg}); run \`npm ci\` first`);
    process.exit(1);
  }
}

/** Builds into `<out>.next` and swaps it in whole: a server started meanwhile never sees half a build. */
function build(what, out, stamp, argv) {
  const next = `${out}.next`;
  fs.rmSync(next, { recursive: true, force: true });
  console.error(`switchboard: ${what}`);
  const run = spawnSync(process.execPath, argv(next), { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) {
    fs.rmSync(next, { recursive: true, force: true });
    console.error('switchboard: the build failed (see the output above)');
    process.exit(run.status ?? 1);
  }
  fs.writeFileSync(path.join(next, path.basename(stamp)), `${new Date().toISOString()}\n`);
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(next, out);
}

if (only !== 'web' && !(ifStale && distIsCurrent())) {
  const tsc = binOf('typescript', 'bin/tsc');
  build('compiling src/ to dist/', DIST, STAMP, (next) => [
    tsc,
    '-p',
    'tsconfig.build.json',
    '--outDir',
    next,
  ]);
}
if (only !== 'server' && !(ifStale && webIsCurrent())) {
  const vite = binOf('vite', 'bin/vite.js');
  build('building the dashboard (web/) to web/dist/', WEB_DIST, WEB_STAMP, (next) => [
    vite,
    'build',
    'web',
    '--outDir',
    next,
    '--logLevel',
    'warn',
  ]);
}
