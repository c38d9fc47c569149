const UNITS: [suffix: string, ms: number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** Milliseconds as a Prometheus duration ("90m" → "1h30m", 0 → "0s"): what `for:` and `[range]` take. */
export function promDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`not a duration: ${ms}`);
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [suffix, unit] of UNITS) {
    const n = Math.floor(rest / unit);
    if (n > 0) out += `${n}${suffix}`;
    rest -= n * unit;
  }
  return out;
}
