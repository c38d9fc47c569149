import type { Incident, SeriesReference } from '../../../shared/protocol';

/**
 * What a chart draws over its lines (issue 14): the rule's reference lines, in the panel's
 * display unit, and incident markers on the time axis.
 */
export interface RefLine {
  label: string;
  /** In the panel's display unit (already per hour for cost). */
  value: number;
  role: 'baseline' | 'threshold';
}

export interface ChartMarker {
  /** Seconds (uPlot's x unit). */
  x: number;
  /** Seconds; absent while the incident is open. */
  end?: number;
  incidentId: string;
  label: string;
  resolved: boolean;
}

/** Reference lines as drawn: already in display units (cost per hour); a suite's threshold names its suite. */
export function referenceView(ref: SeriesReference | undefined): RefLine[] {
  if (!ref) return [];
  return ref.lines
    .filter((l) => Number.isFinite(l.value))
    .map((l) => ({
      label: l.labels?.['suite'] && !l.label.includes(l.labels['suite']) ? `${l.labels['suite']} ${l.label}` : l.label,
      value: l.value,
      role: l.role,
    }));
}

/** Incidents that overlap [fromS, toS] (seconds), oldest first, as markers. */
export function incidentMarkers(incidents: readonly Incident[], fromS: number, toS: number): ChartMarker[] {
  const out: ChartMarker[] = [];
  for (const i of incidents) {
    const x = Date.parse(i.firedAt) / 1000;
    const end = i.resolvedAt ? Date.parse(i.resolvedAt) / 1000 : undefined;
    if (x > toS || (end !== undefined && end < fromS)) continue;
    out.push({
      x,
      ...(end !== undefined ? { end } : {}),
      incidentId: i.id,
      label: i.title,
      resolved: i.status === 'resolved',
    });
  }
  return out.sort((a, b) => a.x - b.x);
}

/** The y range a chart needs so its lines and the rule's lines are all on screen. */
export function yRangeWith(
  dataMin: number,
  dataMax: number,
  refs: readonly RefLine[],
  zeroBased: boolean,
): [number, number] {
  let lo = zeroBased ? 0 : dataMin;
  let hi = dataMax;
  for (const r of refs) {
    if (r.value > hi) hi = r.value;
    if (!zeroBased && r.value < lo) lo = r.value;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi <= lo) return [lo, lo + (Math.abs(lo) || 1)];
  const pad = (hi - lo) * 0.1;
  return [zeroBased ? lo : lo - pad, hi + pad];
}
