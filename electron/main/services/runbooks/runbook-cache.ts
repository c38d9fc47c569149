import { HIGHLIGHT_END, HIGHLIGHT_START, RunbookDoc, type RunbookHit, type RunbookSummary } from '../../../../shared/runbooks/schema.js';
import { openCacheConnection, slowQueryTimer } from '../cache/cache-connection.js';
import { silentLogger, type Logger } from '../runtime.js';
import { toFtsQuery } from './fts-query.js';
import { searchText } from './search-text.js';

/** Runbooks in the desktop cache (tables from migration 0003): what the UI reads, online or not. */
export interface RunbookCache {
  /** id → content version, to decide what to fetch. */
  versions(): Map<string, string>;
  /** Stores (or replaces) documents and their index rows in one transaction. */
  put(docs: readonly RunbookDoc[], syncedAt: string): void;
  /** Forgets runbooks the collector no longer serves. */
  remove(ids: readonly string[]): void;
  list(): RunbookSummary[];
  get(id: string): RunbookDoc | null;
  /** bm25-ranked (title weighs more), with a highlighted snippet; `[]` for an empty query. */
  search(query: string, limit?: number): RunbookHit[];
  close(): void;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

interface HitRow {
  title: string;
  tier: RunbookHit['tier'];
}

/** Opens its own connection to the cache file (WAL: readers and the alert replica don't block each other). */
export function openRunbookCache(path: string, opts: { log?: Logger } = {}): RunbookCache {
  const log = opts.log ?? silentLogger;
  const db = openCacheConnection(path);
  const s = {
    versions: db.prepare('SELECT id, version FROM runbooks'),
    upsert: db.prepare(`INSERT INTO runbooks (id, version, title, tier, json, synced_at) VALUES (@id, @version, @title, @tier, @json, @syncedAt)
      ON CONFLICT (id) DO UPDATE SET version = excluded.version, title = excluded.title, tier = excluded.tier,
        json = excluded.json, synced_at = excluded.synced_at`),
    delete: db.prepare('DELETE FROM runbooks WHERE id = ?'),
    deleteFts: db.prepare('DELETE FROM runbooks_fts WHERE id = ?'),
    insertFts: db.prepare('INSERT INTO runbooks_fts (id, title, body) VALUES (?, ?, ?)'),
    list: db.prepare('SELECT json FROM runbooks ORDER BY id'),
    get: db.prepare('SELECT json FROM runbooks WHERE id = ?'),
    // ORDER BY rank (the bm25 config stored by migration 0003) lets FTS5 hand rows over already
    // sorted, so SQLite needs no sorter and snippet() runs for the returned page only. A JOIN or
    // an explicit bm25() here would make it score and snippet every match (5x slower at 2,000).
    search: db.prepare(`SELECT id, rank, snippet(runbooks_fts, -1, @start, @end, '…', 16) AS snippet
      FROM runbooks_fts WHERE runbooks_fts MATCH @query ORDER BY rank LIMIT @limit`),
    meta: db.prepare('SELECT title, tier FROM runbooks WHERE id = ?'),
    // Merges the index's segments into one b-tree: a search then reads one doclist per term
    // instead of one per segment each put left behind (p95 -20% at 2,000 runbooks).
    optimize: db.prepare("INSERT INTO runbooks_fts (runbooks_fts) VALUES ('optimize')"),
  };
  const timed = slowQueryTimer('runbook cache', (m) => log.warn(m));
  const parseDoc = (json: string): RunbookDoc => RunbookDoc.parse(JSON.parse(json));

  return {
    versions: () => new Map((s.versions.all() as { id: string; version: string }[]).map((r) => [r.id, r.version])),
    put: (docs, syncedAt) =>
      timed('put', () =>
        db.transaction(() => {
          for (const doc of docs) {
            s.upsert.run({ id: doc.id, version: doc.version, title: doc.title, tier: doc.tier, json: JSON.stringify(doc), syncedAt });
            s.deleteFts.run(doc.id);
            s.insertFts.run(doc.id, doc.title, searchText(doc));
          }
          if (docs.length > 0) s.optimize.run();
        })(),
      ),
    remove: (ids) =>
      db.transaction(() => {
        for (const id of ids) {
          s.delete.run(id);
          s.deleteFts.run(id);
        }
      })(),
    list: () =>
      (s.list.all() as { json: string }[]).map((r) => {
        const { id, title, tier, serves, version } = parseDoc(r.json);
        return { id, title, tier, serves, version };
      }),
    get: (id) => {
      const row = s.get.get(id) as { json: string } | undefined;
      return row ? parseDoc(row.json) : null;
    },
    search: (query, limit = DEFAULT_LIMIT) => {
      const fts = toFtsQuery(query);
      if (fts === null) return [];
      return timed('search', () => {
        const rows = s.search.all({ query: fts, start: HIGHLIGHT_START, end: HIGHLIGHT_END, limit: Math.min(Math.max(1, limit), MAX_LIMIT) }) as {
          id: string;
          rank: number;
          snippet: string;
        }[];
        const hits: RunbookHit[] = [];
        for (const r of rows) {
          const meta = s.meta.get(r.id) as HitRow | undefined;
          if (!meta) continue; // an index row without its document is skipped, never shown half-empty
          hits.push({ id: r.id, title: meta.title, tier: meta.tier, snippet: r.snippet, rank: r.rank });
        }
        return hits;
      });
    },
    close: () => {
      if (db.open) db.close();
    },
  };
}
