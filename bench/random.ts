// A small seeded pseudo-random generator (mulberry32) for synthetic data that must come out the
// same on every run. Not for anything secret: 32 bits of state, so never for keys or tokens.

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Up to `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[];
  /** A version-4-shaped UUID drawn from this generator (crypto.randomUUID is not seeded). */
  uuid(): string;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    sample: (items, count) => sampleDistinct(items, Math.min(count, items.length), int),
    uuid: () => formatUuid(next),
  };
}

function sampleDistinct<T>(items: readonly T[], count: number, int: (min: number, max: number) => number): T[] {
  if (count <= 0) return [];
  // Few from many: draw and skip repeats. Many from few: a partial Fisher-Yates shuffle.
  if (count * 4 < items.length) {
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(int(0, items.length - 1));
    return [...chosen].map((i) => items[i] as T);
  }
  const copy = [...items];
  for (let i = 0; i < count; i++) {
    const j = int(i, copy.length - 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, count);
}

function formatUuid(next: () => number): string {
  const bytes: number[] = [];
  for (let i = 0; i < 4; i++) {
    const word = Math.floor(next() * 4_294_967_296);
    bytes.push(word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff);
  }
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Draws indexes in proportion to their weights (a cumulative table and a binary search),
 * so a skewed choice among thousands of items stays cheap.
 */
export function weightedPicker(random: Random, weights: readonly number[]): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (const weight of weights) cumulative.push((total += Math.max(0, weight)));
  if (total <= 0) throw new RangeError('weightedPicker needs at least one positive weight');
  return () => {
    const target = random.next() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((cumulative[mid] as number) > target) high = mid;
      else low = mid + 1;
    }
    return low;
  };
}

/** A 32-bit FNV-1a hash of a string, to mix a name into a seed. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
