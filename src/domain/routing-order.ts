/**
 * The order of one priority level's eligible candidates, drawn in arrays a compiled list keeps for
 * its whole life: on the 5,500-entry list a decision orders ~1,900 candidates, and fresh arrays per
 * level (and per shuffle) made the garbage collector a large share of the slowest decisions.
 */
export interface LevelScratch {
  /** Filled by the caller with the level's eligible candidate indexes before `orderLevel`. */
  eligible: Int32Array;
  /** The level's order after `orderLevel`: `order[0 … n)`. */
  order: Int32Array;
  weightless: Int32Array;
  times: Float64Array;
  words: Uint32Array;
}

export function levelScratch(candidates: number): LevelScratch {
  const times = new Float64Array(candidates);
  return {
    eligible: new Int32Array(candidates),
    order: new Int32Array(candidates),
    weightless: new Int32Array(candidates),
    times,
    words: new Uint32Array(times.buffer),
  };
}

/**
 * Inside a level, a weighted random permutation equal in law to drawing without replacement with
 * chance weight / (sum of weights left). A candidate's chance of being first in its level is weight /
 * sum of the level's weights. Weight 0 (or negative, or not a number) never beats a positive weight:
 * such candidates follow the positive ones in their level, in uniform random order among themselves.
 * Orders `s.eligible[0 … count)` into `s.order[0 … count)`.
 */
export function orderLevel(
  s: LevelScratch,
  count: number,
  weights: ArrayLike<number>,
  random: () => number,
): void {
  let nWeighted = 0;
  let nWeightless = 0;
  for (let k = 0; k < count; k++) {
    const i = s.eligible[k];
    if (weights[i] > 0) s.order[nWeighted++] = i;
    else s.weightless[nWeightless++] = i;
  }
  if (allSameWeight(s.order, nWeighted, weights)) shuffleUniform(s.order, 0, nWeighted, random);
  else shuffleWeighted(s, nWeighted, weights, random);
  shuffleUniform(s.weightless, 0, nWeightless, random);
  s.order.set(s.weightless.subarray(0, nWeightless), nWeighted);
}

function allSameWeight(items: Int32Array, n: number, weights: ArrayLike<number>): boolean {
  for (let k = 1; k < n; k++) if (weights[items[k]] !== weights[items[0]]) return false;
  return true;
}

/** Fisher–Yates over `items[from … from + n)`: with equal weights the weighted draw is uniform, at O(n). */
function shuffleUniform(items: Int32Array, from: number, n: number, random: () => number): void {
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[from + i];
    items[from + i] = items[from + j];
    items[from + j] = tmp;
  }
}

/**
 * Weighted draw without replacement of `s.order[0 … n)` in O(n log n) rather than O(n²): each
 * candidate draws an exponential "arrival time" -log(u) / weight for a uniform u, and the earliest goes
 * first. This is the Efraimidis–Spirakis key u^(1/weight) read on a log scale, so the chance of coming
 * first is weight / sum, and the rest follow as repeated draws from what is left.
 */
function shuffleWeighted(s: LevelScratch, n: number, weights: ArrayLike<number>, random: () => number): void {
  const { order, times, words } = s;
  // A sort with a comparator costs more than the rest of routing together. Instead each position
  // replaces the lowest mantissa bits of its (non-negative) time, just as many bits as positions
  // need (12 for 4,000 candidates, never more than the 32 of the low word: arrays are shorter), so
  // the built-in numeric sort keeps the order, to 2^-(52 - bits) relative, and carries the position.
  const mask = 2 ** (32 - Math.clz32(n - 1)) - 1;
  for (let i = 0; i < n; i++) {
    times[i] = Math.abs(Math.log(1 - random())) / weights[order[i]]; // abs: no -0, which sorts first
    const low = 2 * i + LOW_WORD;
    words[low] = ((words[low] & ~mask) | i) >>> 0;
  }
  times.subarray(0, n).sort();
  // The positions index the order as it was: read them into `eligible` (free now) first.
  const before = s.eligible;
  before.set(order.subarray(0, n));
  for (let i = 0; i < n; i++) order[i] = before[(words[2 * i + LOW_WORD] & mask) >>> 0];
}

/** Index of the 32-bit word holding a Float64's low mantissa bits (0 on little-endian machines). */
const LOW_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;
