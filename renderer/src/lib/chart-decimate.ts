/**
 * More points than pixel columns only cost time (issue 14: 30 days of minutes, 43,200 points ×
 * 4 series, drawn in < 100 ms; a range switch in < 50 ms). Each pixel column keeps two points,
 * at its first and last x: per series, its minimum and its maximum in the column, in the order
 * they occur. Spikes survive (a one-minute error burst in a month stays visible); the line moves
 * by less than a pixel. `index` maps each kept point back to an original one (the hover readout
 * reads the original bucket).
 */
export interface Decimated {
  xs: number[];
  lines: (number | null)[][];
  index: number[];
}

export function decimate(
  xs: readonly number[],
  lines: readonly (readonly (number | null)[])[],
  columns: number,
): Decimated {
  const n = xs.length;
  const first = xs[0];
  const last = xs[n - 1];
  if (n <= 2 * columns || first === undefined || last === undefined || last <= first) {
    return { xs: [...xs], lines: lines.map((l) => [...l]), index: xs.map((_, i) => i) };
  }
  const out: Decimated = { xs: [], lines: lines.map(() => []), index: [] };
  const scale = columns / (last - first);
  let a = 0;
  while (a < n) {
    const col = Math.floor(((xs[a] as number) - first) * scale);
    let b = a + 1;
    while (b < n && Math.floor(((xs[b] as number) - first) * scale) === col) b++;
    const two = b - 1 > a;
    out.xs.push(xs[a] as number);
    out.index.push(a);
    if (two) {
      out.xs.push(xs[b - 1] as number);
      out.index.push(b - 1);
    }
    lines.forEach((line, s) => {
      const target = out.lines[s] as (number | null)[];
      if (!two) {
        target.push(line[a] ?? null);
        return;
      }
      let lo = -1;
      let hi = -1;
      for (let i = a; i < b; i++) {
        const v = line[i];
        if (v === null || v === undefined) continue;
        if (lo < 0 || v < (line[lo] as number)) lo = i;
        if (hi < 0 || v > (line[hi] as number)) hi = i;
      }
      if (lo < 0) target.push(null, null);
      else if (lo <= hi) target.push(line[lo] as number, line[hi] as number);
      else target.push(line[hi] as number, line[lo] as number);
    });
    a = b;
  }
  return out;
}
