import type { CachedSeries, SeriesCatalog, SeriesQueryParams } from '../../../../shared/protocol/series.js';

/** What the Api needs for charts: queries answered from the cache, and word when it changed. */
export interface SeriesSource {
  /** A promise when the answer comes from the collector (its Prometheus chart source, issue 17). */
  query(params: SeriesQueryParams): CachedSeries | Promise<CachedSeries>;
  catalog(): SeriesCatalog;
  onChanged(listener: (syncedAt: string) => void): () => void;
}
