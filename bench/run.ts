/**
 * `npm run bench -- <name>` runs bench/<name>/index.ts; each benchmark prints its figures against its
 * stated target. Without a name, lists what there is.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here).filter((n) => statSync(path.join(here, n)).isDirectory());
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.log(`usage: npm run bench -- <name>\navailable: ${names.join(', ') || '(none yet)'}`);
  process.exit(name ? 2 : 0);
}
await import(pathToFileURL(path.join(here, name, 'index.ts')).href);
