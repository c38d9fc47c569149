/** Exact percentile of a sample (nearest-rank), for bench reports. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';
}

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  process.stdout.write(`\n## ${title}\n`);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(width[i] ?? 0)).join(' | ') + ' |';
  process.stdout.write(line(cols) + '\n');
  process.stdout.write('| ' + width.map((w) => '-'.repeat(w)).join(' | ') + ' |\n');
  for (const r of rows) process.stdout.write(line(cols.map((c) => String(r[c] ?? ''))) + '\n');
}
