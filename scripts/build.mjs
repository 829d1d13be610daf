#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ with the TypeScript compiler (tsconfig.build.json).
// `--if-stale` (run by `npm start` first) does nothing when dist/ is current, so `npm ci && npm start` on a
// fresh clone builds once and later starts go straight to `node dist/main.js`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DIST, distIsCurrent, ROOT, STAMP } from './dist-state.mjs';

if (process.argv.includes('--if-stale') && distIsCurrent()) process.exit(0);

let tsc;
try {
  const pkg = createRequire(import.meta.url).resolve('typescript/package.json');
  tsc = path.join(path.dirname(pkg), 'bin', 'tsc');
} catch {
  console.error('switchboard: building needs the dev dependencies (typescript); run `npm ci` first');
  process.exit(1);
}

// Compile next to dist/ and swap it in whole: a server started meanwhile never sees half a build.
const next = `${DIST}.next`;
fs.rmSync(next, { recursive: true, force: true });
console.error('switchboard: compiling src/ to dist/');
const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', next], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (run.status !== 0) {
  fs.rmSync(next, { recursive: true, force: true });
  console.error('switchboard: the build failed (see the compiler output above)');
  process.exit(run.status ?? 1);
}
fs.writeFileSync(path.join(next, path.basename(STAMP)), `${new Date().toISOString()}\n`);
fs.rmSync(DIST, { recursive: true, force: true });
fs.renameSync(next, DIST);
