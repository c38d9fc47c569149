import { useState } from 'react';
import { formatValue, lastValue, PALETTE, type ValueKind } from '../../lib/chart-format';
import type { PanelData, PanelState } from '../../store/charts';
import { UPlotChart } from './UPlotChart';

export interface ChartPanelProps {
  id: string;
  title: string;
  hint?: string;
  kind: ValueKind;
  panel: PanelState | undefined;
  height?: number;
  markerX?: number;
  compact?: boolean;
  sparse?: boolean;
}

const ZERO_BASED: ReadonlySet<ValueKind> = new Set(['ratio', 'perMin', 'usdPerHour', 'count']);

function Legend({ panel, kind, idx }: { panel: PanelState; kind: ValueKind; idx: number | null }) {
  const data = panel.data;
  if (!data) return null;
  return (
    <ul className="chart-legend">
      {data.lines.map((line, i) => {
        const v = idx === null ? lastValue(line.values) : (line.values[idx] ?? null);
        return (
          <li key={`${line.name}-${i}`} className="chart-legend-item">
            <span className="chart-swatch" style={{ background: PALETTE[i % PALETTE.length] }} aria-hidden="true" />
            <span className="chart-legend-name">{line.name}</span>
            <span className="chart-legend-value" data-testid="legend-value">
              {formatValue(kind, v)}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** With a marker (alert chart), the legend rests on the bucket holding it: the value when the alert fired. */
function markerIndex(data: PanelData | null, markerX: number | undefined): number | null {
  if (!data || markerX === undefined) return null;
  let found: number | null = null;
  data.xs.forEach((x, i) => {
    if (x <= markerX) found = i;
  });
  return found;
}

/** One chart card: title, legend (latest values, or the values under the cursor), the plot. */
export function ChartPanel({ id, title, hint, kind, panel, height = 180, markerX, compact, sparse }: ChartPanelProps) {
  const [idx, setIdx] = useState<number | null>(null);
  const data = panel?.data ?? null;
  const hasData = !!data && data.lines.some((l) => l.values.some((v) => v !== null));
  return (
    <section
      className={`chart-panel${compact ? ' chart-panel-compact' : ''}`}
      data-testid={`chart-${id}`}
      data-state={panel?.state ?? 'loading'}
      aria-label={title}
    >
      <header className="chart-head">
        <div className="chart-titles">
          <h3 className="chart-title">{title}</h3>
          {hint && <span className="chart-hint">{hint}</span>}
        </div>
        {panel && hasData && <Legend panel={panel} kind={kind} idx={idx ?? markerIndex(data, markerX)} />}
      </header>
      <div className="chart-body" style={{ minHeight: height }}>
        {hasData && data ? (
          <UPlotChart
            data={data}
            kind={kind}
            height={height}
            onCursor={setIdx}
            zeroBased={ZERO_BASED.has(kind)}
            sparse={!!sparse}
            {...(markerX !== undefined ? { markerX } : {})}
          />
        ) : (
          <div className="chart-empty" style={{ height }}>
            {panel?.state === 'error'
              ? `Could not load: ${panel.error}`
              : panel?.state === 'ready'
                ? 'No data in this range'
                : 'Loading…'}
          </div>
        )}
      </div>
    </section>
  );
}
