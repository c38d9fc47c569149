export { openSeriesCache, stepFor, type SeriesCache, type ChartSyncState } from './series-cache.js';
export {
  SeriesSync,
  SERIES_POLL_MS,
  type SeriesSyncOptions,
  type ConnectionSignal,
  type SeriesLog,
} from './series-sync.js';
export { DEFAULT_CHART_RETENTION, type ChartRetention } from './retention.js';
export type { SeriesSource } from './series-source.js';
export { RemoteSeries, withRemoteSeries, type RemoteSeriesOptions } from './remote-series.js';
