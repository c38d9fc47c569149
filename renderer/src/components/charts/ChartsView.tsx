import { useEffect, useMemo } from 'react';
import { useApi } from '../../api/context';
import { RANGE_MS, RANGES } from '../../lib/chart-format';
import { incidentMarkers } from '../../lib/chart-overlays';
import { PANELS } from '../../lib/chart-panels';
import { formatClockShort, formatDuration } from '../../lib/time';
import { serverNow, useServerNow } from '../../store/clock';
import { loadCharts, useChartsStore, type ChartFilters } from '../../store/charts';
import { useSyncStore } from '../../store/sync';
import { ChartPanel } from './ChartPanel';
import './charts.css';

/** While the view is open, charts re-query this often so the right edge keeps up with "now". */
const REFRESH_MS = 60_000;

function Select({ label, field, options }: { label: string; field: keyof ChartFilters; options: string[] }) {
  const value = useChartsStore((s) => s.filters[field]);
  const setFilter = useChartsStore((s) => s.setFilter);
  return (
    <label className="chart-filter">
      <span className="chart-filter-label">{label}</span>
      <select value={value} onChange={(e) => setFilter(field, e.target.value)} data-testid={`chart-filter-${field}`}>
        <option value="">All</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

function Filters() {
  const catalog = useChartsStore((s) => s.catalog);
  const filters = useChartsStore((s) => s.filters);
  const range = useChartsStore((s) => s.range);
  const setRange = useChartsStore((s) => s.setRange);
  // Each list narrows to what the other filters leave possible.
  const options = useMemo(() => {
    const keys = catalog?.keys ?? [];
    const pick = (field: keyof ChartFilters): string[] => {
      const rest = keys.filter((k) =>
        (['service', 'provider', 'model'] as const).every((f) => f === field || !filters[f] || k[f] === filters[f]),
      );
      return [...new Set(rest.map((k) => k[field]))].sort();
    };
    return { service: pick('service'), provider: pick('provider'), model: pick('model') };
  }, [catalog, filters]);
  return (
    <div className="chart-toolbar" role="toolbar" aria-label="Chart filters">
      <Select label="Service" field="service" options={options.service} />
      <Select label="Provider" field="provider" options={options.provider} />
      <Select label="Model" field="model" options={options.model} />
      <div className="spacer" />
      <div className="chart-ranges" role="group" aria-label="Time range">
        {RANGES.map((r) => (
          <button
            key={r}
            type="button"
            className={`chart-range${r === range ? ' is-active' : ''}`}
            aria-pressed={r === range}
            data-testid={`chart-range-${r}`}
            onClick={() => setRange(r)}
          >
            {r}
          </button>
        ))}
      </div>
    </div>
  );
}

/** Where the numbers come from: always the local cache; offline it says how old they are. */
function DataAge() {
  const syncedAt = useChartsStore((s) => s.syncedAt);
  const loaded = useChartsStore((s) => Object.values(s.panels).some((p) => p.state !== 'loading'));
  const state = useSyncStore((s) => s.status?.state);
  const transport = useSyncStore((s) => s.transport.kind);
  const now = useServerNow();
  const offline = transport !== 'ready' || state !== 'connected';
  const synced = syncedAt ? Date.parse(syncedAt) : null;
  const age = synced === null ? null : formatDuration(Math.max(0, now - synced));
  if (!offline) {
    return (
      <div className="chart-age" data-testid="charts-data-age" data-offline="false">
        {synced === null
          ? loaded
            ? 'Waiting for the first sync…'
            : 'Loading…'
          : `Live · synced ${formatClockShort(synced)}`}
      </div>
    );
  }
  return (
    <div
      className="chart-age chart-age-offline banner banner-warn"
      data-testid="charts-data-age"
      data-offline="true"
      role="status"
    >
      <strong>Offline</strong> — charts from the local cache
      {age === null
        ? loaded
          ? ', never synced'
          : '…'
        : `, data ${age} old (synced ${formatClockShort(synced as number)})`}
    </div>
  );
}

export function ChartsView({ onOpenIncident }: { onOpenIncident?: (id: string) => void }) {
  const api = useApi();
  const range = useChartsStore((s) => s.range);
  const incidents = useChartsStore((s) => s.incidents);
  const filters = useChartsStore((s) => s.filters);
  const panels = useChartsStore((s) => s.panels);
  const connected = useSyncStore((s) => s.transport.kind === 'ready' && s.status?.state === 'connected');
  const transportReady = useSyncStore((s) => s.transport.kind === 'ready');
  // Every chart shares the range, so one marker list serves them all (uPlot hides the ones off-axis).
  const markers = useMemo(() => {
    const now = serverNow();
    return incidentMarkers(incidents, (now - RANGE_MS[range]) / 1000, now / 1000);
  }, [incidents, range]);

  useEffect(() => {
    if (!transportReady) return;
    const reload = (): void => void loadCharts(api, serverNow());
    reload();
    const timer = setInterval(reload, REFRESH_MS);
    const off = api.onPush((push) => {
      if (push.type === 'series-changed') reload();
    });
    return () => {
      clearInterval(timer);
      off();
    };
  }, [api, range, filters, connected, transportReady]);

  return (
    <section className="charts-view" aria-label="Charts" data-testid="charts-view">
      <Filters />
      <DataAge />
      <div className="chart-grid">
        {PANELS.map((spec) => {
          const panel = panels[spec.id];
          const empty = panel?.state === 'ready' && panel.data.lines.length === 0;
          if (spec.optional && empty) return null;
          return (
            <ChartPanel
              key={spec.id}
              id={spec.id}
              title={spec.title}
              hint={spec.hint}
              kind={spec.kind}
              panel={panel}
              sparse={!!spec.sparse}
              markers={markers}
              {...(onOpenIncident ? { onMarker: onOpenIncident } : {})}
            />
          );
        })}
      </div>
    </section>
  );
}
