// Whether dist/ holds a build of the current sources. Shared by the build script (build only when stale)
// and the `switchboard` command (run the compiled CLI when it is current, the TypeScript otherwise).
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
  const built = fs.statSync(STAMP, { throwIfNoEntry: false });
  if (!built) return false;
  return INPUTS.every((input) => newestMtime(path.join(ROOT, input)) <= built.mtimeMs);
}
