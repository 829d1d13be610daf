/**
 * Summarizes a `node --cpu-prof` profile: self time by function and by source file, top N.
 * `npx tsx bench/lib/profile-summary.ts file.cpuprofile [N]`
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const prof = JSON.parse(readFileSync(process.argv[2], 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};
const top = Number(process.argv[3] ?? 25);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
// Each sample counts as one sampling interval (the median gap): a gap's length is wall time, and the
// first one after Profiler.start, or one where a loaded machine preempted the process, can be seconds
// long and would be charged to whichever function was sampled next.
const gaps = prof.timeDeltas.filter((d) => d > 0).sort((a, b) => a - b);
const interval = gaps[gaps.length >> 1] ?? 1000;
const self = new Map<number, number>();
for (const id of prof.samples) self.set(id, (self.get(id) ?? 0) + interval);
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fns = new Map<string, number>();
const files = new Map<string, number>();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const file =
    url.replace(/^.*node_modules\//, 'nm:').replace(/^file:\/\/.*\/(src|bench)\//, '$1/') || '(native)';
  const fn = `${functionName || '(anon)'} ${file}:${lineNumber + 1}`;
  fns.set(fn, (fns.get(fn) ?? 0) + us);
  const pkg = file.startsWith('nm:')
    ? file
        .split('/')
        .slice(0, file.startsWith('nm:@') ? 2 : 1)
        .join('/')
    : file;
  files.set(pkg, (files.get(pkg) ?? 0) + us);
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
};
console.log(`total ${(total / 1e6).toFixed(2)} s sampled`);
show('self time by function', fns);
show('self time by file / package', files);
