// Whether dist/ holds a build of the current sources, and web/dist/ one of the dashboard's. Shared by the
// build script (build only what is stale) and the `switchboard` command (run the compiled CLI when it is
// current, the TypeScript otherwise).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = path.join(ROOT, 'dist');
/** Written last by a successful build, so a half-written dist/ never counts as current. */
export const STAMP = path.join(DIST, '.built');
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestMtime(p) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file changes its folder's mtime
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export function distIsCurrent() {
  return isCurrent(STAMP, INPUTS);
}

/** The dashboard's build (web/, by Vite): the page, its sources, its config and the dependencies. */
export const WEB_DIST = path.join(ROOT, 'web', 'dist');
export const WEB_STAMP = path.join(WEB_DIST, '.built');
const WEB_INPUTS = ['web/src', 'web/index.html', 'web/vite.config.ts', 'package-lock.json'];

export function webIsCurrent() {
  return isCurrent(WEB_STAMP, WEB_INPUTS);
}

function isCurrent(stamp, inputs) {
  const built = fs.statSync(stamp, { throwIfNoEntry: false });
  if (!built) return false;
  return inputs.every((input) => newestMtime(path.join(ROOT, input)) <= built.mtimeMs);
}
