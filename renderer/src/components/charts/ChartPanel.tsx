import { useState } from 'react';
import { formatValue, lastValue, PALETTE, type ValueKind } from '../../lib/chart-format';
import type { ChartMarker } from '../../lib/chart-overlays';
import { formatClockShort } from '../../lib/time';
import type { ChartLine, PanelData, PanelState } from '../../store/charts';
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
  /** Incidents on the time axis (issue 14); a click opens the incident. */
  markers?: readonly ChartMarker[];
  onMarker?: (incidentId: string) => void;
}

const ZERO_BASED: ReadonlySet<ValueKind> = new Set(['ratio', 'perMin', 'usdPerHour', 'count']);

/** Last index with a value (what the legend rests on when the cursor is away). */
function lastIndex(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return i;
  return null;
}

/** "12.0 %", "12.0 % of 34" for a rate, "unpriced" for a model without a price. */
function readout(kind: ValueKind, line: ChartLine, idx: number | null): string {
  const i = idx ?? lastIndex(line.values);
  const v = i === null ? lastValue(line.values) : (line.values[i] ?? null);
  if (v === null && line.unpriced) return 'unpriced';
  const n = i === null ? undefined : line.counts?.[i];
  const text = formatValue(kind, v);
  return n !== undefined && v !== null ? `${text} of ${n}` : text;
}

function Legend({ data, kind, idx }: { data: PanelData; kind: ValueKind; idx: number | null }) {
  const x = idx === null ? null : data.xs[idx];
  return (
    <ul className="chart-legend">
      {x !== null && x !== undefined && (
        <li className="chart-legend-item chart-legend-time" data-testid="legend-time">
          {formatClockShort(x * 1000)}
        </li>
      )}
      {data.lines.map((line, i) => (
        <li key={`${line.name}-${i}`} className="chart-legend-item">
          <span className="chart-swatch" style={{ background: PALETTE[i % PALETTE.length] }} aria-hidden="true" />
          <span className="chart-legend-name">{line.name}</span>
          <span className="chart-legend-value" data-testid="legend-value">
            {readout(kind, line, idx)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The rule's lines as text under the plot (what the dashed lines are), and the KL readout for the output mix. */
function RuleLines({ data, kind }: { data: PanelData; kind: ValueKind }) {
  if (data.refs.length === 0 && !data.kl) return null;
  return (
    <ul className="chart-rules" data-testid="chart-rules">
      {data.refs.map((r, i) => (
        <li key={`${r.label}-${i}`} className={`chart-rule is-${r.role}`} data-testid="chart-rule" data-role={r.role}>
          <span className="chart-rule-swatch" aria-hidden="true" />
          {r.label} <strong>{formatValue(kind, r.value)}</strong>
        </li>
      ))}
      {data.kl && (
        <li
          className={`chart-rule is-kl${data.kl.value !== null && data.kl.value > data.kl.threshold ? ' is-over' : ''}`}
          data-testid="chart-kl"
        >
          KL divergence (last window vs reference){' '}
          <strong>{data.kl.value === null ? 'not enough data' : data.kl.value.toFixed(3)}</strong>, threshold{' '}
          {data.kl.threshold}
        </li>
      )}
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

/** One chart card: title, legend (latest values, or the values under the cursor), the plot, the rule's lines. */
export function ChartPanel({
  id,
  title,
  hint,
  kind,
  panel,
  height = 180,
  markerX,
  compact,
  sparse,
  markers,
  onMarker,
}: ChartPanelProps) {
  const [idx, setIdx] = useState<number | null>(null);
  const data = panel?.data ?? null;
  const hasData = !!data && data.lines.some((l) => l.values.some((v) => v !== null));
  const hasLines = !!data && data.lines.length > 0;
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
        {data && hasLines && <Legend data={data} kind={kind} idx={idx ?? markerIndex(data, markerX)} />}
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
            refs={data.refs}
            {...(markers ? { markers } : {})}
            {...(onMarker ? { onMarker } : {})}
            {...(markerX !== undefined ? { markerX } : {})}
          />
        ) : (
          <div className="chart-empty" style={{ height }}>
            {panel?.state === 'error'
              ? `Could not load: ${panel.error}`
              : panel?.state === 'ready'
                ? hasLines
                  ? 'No priced data in this range'
                  : 'No data in this range'
                : 'Loading…'}
          </div>
        )}
      </div>
      {data && hasData && <RuleLines data={data} kind={kind} />}
    </section>
  );
}
