/** Sparkline size in CSS pixels: a trend beside a number, not a chart. */
const WIDTH = 120;
const HEIGHT = 28;
const PAD = 2;

/**
 * A tiny trend line (SVG, no axes): oldest value on the left. Nulls break the line, so a week
 * without an acknowledged page shows as a gap rather than a zero.
 */
export function Sparkline({ values, label }: { values: readonly (number | null)[]; label: string }) {
  const finite = values.filter((v): v is number => v !== null);
  const max = Math.max(1, ...finite);
  const step = values.length > 1 ? (WIDTH - 2 * PAD) / (values.length - 1) : 0;
  const segments: string[] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length) segments.push(current.join(' '));
      current = [];
      return;
    }
    const x = PAD + i * step;
    const y = HEIGHT - PAD - (v / max) * (HEIGHT - 2 * PAD);
    current.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  if (current.length) segments.push(current.join(' '));
  return (
    <svg className="sparkline" width={WIDTH} height={HEIGHT} role="img" aria-label={label}>
      {segments.map((points, i) =>
        points.includes(' ') ? (
          <polyline key={i} points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
        ) : (
          <circle key={i} cx={points.split(',')[0]} cy={points.split(',')[1]} r="1.5" fill="currentColor" />
        ),
      )}
    </svg>
  );
}
