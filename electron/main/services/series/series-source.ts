import type { CachedSeries, SeriesCatalog, SeriesQueryParams } from '../../../../shared/protocol/series.js';

/** What the Api needs for charts: queries answered from the cache, and word when it changed. */
export interface SeriesSource {
  query(params: SeriesQueryParams): CachedSeries;
  catalog(): SeriesCatalog;
  onChanged(listener: (syncedAt: string) => void): () => void;
}
