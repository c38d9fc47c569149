/**
 * Intervals grouped by a key (a person, a provider) and merged per key into disjoint, ordered
 * [start, end) pairs, so overlapping pieces (two role shifts, two alerts on one outage) count once.
 * Keys keep the order they first appear in.
 */
export function mergeIntervalsByKey(
  pieces: Iterable<readonly [key: string, startMs: number, endMs: number]>,
): Map<string, [number, number][]> {
  const by = new Map<string, [number, number][]>();
  for (const [key, s, e] of pieces) {
    const list = by.get(key) ?? [];
    list.push([s, e]);
    by.set(key, list);
  }
  for (const [key, list] of by) {
    list.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [s, e] of list) {
      const last = merged[merged.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else merged.push([s, e]);
    }
    by.set(key, merged);
  }
  return by;
}
