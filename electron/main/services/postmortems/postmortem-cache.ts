import { Postmortem, ReviewMark } from '../../../../shared/postmortem/schema.js';
import { Alert } from '../../../../shared/protocol/alert.js';
import { openCacheConnection } from '../cache/cache-connection.js';

/** Postmortems the cache lists at most (the collector keeps MAX_POSTMORTEMS). */
const MAX_LISTED = 1_000;
/** Checklist alerts read for one week at most (a week with more tickets than this has a bigger problem). */
const MAX_REVIEW_ALERTS = 2_000;
/** Review marks read at most for one week. */
const MAX_MARKS_READ = 5_000;

/** Postmortems and review marks in the desktop cache (tables from migration 0010). */
export interface PostmortemCache {
  /** Newest first (by when the incident fired). */
  list(): Postmortem[];
  get(id: string): Postmortem | null;
  /** The incident's postmortem (the detail pane asks on every change: one indexed row, not the list). */
  forIncident(incidentId: string): Postmortem | null;
  /** The highest rev cached (the next pull asks for what changed after it). */
  maxRev(): number;
  /** Stores pulled postmortems (a newer rev replaces an older one), in one transaction. */
  put(postmortems: readonly Postmortem[]): void;
  /** The collector's postmortems went back (it was reset): forget them all. */
  clear(): void;
  /** Replaces the marks of weeks ≥ `sinceWeek` with the collector's. */
  replaceMarks(sinceWeek: string, marks: readonly ReviewMark[]): void;
  marks(week: string): ReviewMark[];
  /** Cached `review` and `ticket` alerts open at some moment of [startIso, endIso) (the week's checklist). */
  reviewAlerts(startIso: string, endIso: string): Alert[];
  close(): void;
}

export function openPostmortemCache(path: string, opts: { log?: (message: string) => void } = {}): PostmortemCache {
  const db = openCacheConnection(path);
  const s = {
    list: db.prepare('SELECT json FROM postmortems').pluck(),
    get: db.prepare('SELECT json FROM postmortems WHERE id = ?').pluck(),
    forIncident: db.prepare('SELECT json FROM postmortems WHERE incident_id = ? ORDER BY rev DESC LIMIT 1').pluck(),
    maxRev: db.prepare('SELECT COALESCE(MAX(rev), 0) FROM postmortems').pluck(),
    put: db.prepare(`INSERT INTO postmortems (id, incident_id, rev, json) VALUES (@id, @incidentId, @rev, @json)
      ON CONFLICT (id) DO UPDATE SET rev = excluded.rev, json = excluded.json WHERE excluded.rev >= postmortems.rev`),
    clear: db.prepare('DELETE FROM postmortems'),
    deleteMarks: db.prepare('DELETE FROM review_marks WHERE week >= ?'),
    putMark: db.prepare('INSERT OR REPLACE INTO review_marks (week, item_key, json) VALUES (?, ?, ?)'),
    marks: db.prepare('SELECT json FROM review_marks WHERE week = ? ORDER BY item_key LIMIT ?').pluck(),
    // Read from the replica's alerts table (migration 0001) by tier and time, not from the newest 1,000.
    reviewAlerts: db
      .prepare(
        `SELECT json FROM alerts WHERE tier IN ('review', 'ticket') AND fired_at < @end
           AND (status != 'resolved' OR json_extract(json, '$.resolvedAt') >= @start)
         ORDER BY fired_at DESC LIMIT @limit`,
      )
      .pluck(),
  };
  // Validated when pulled; parsed again because the file is outside our control.
  const parse = <T>(
    schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
    json: string,
  ): T | null => {
    try {
      const r = schema.safeParse(JSON.parse(json));
      if (r.success) return r.data;
    } catch {
      // fall through
    }
    opts.log?.('postmortem cache: skipping an unreadable row');
    return null;
  };
  const putAll = db.transaction((pms: readonly Postmortem[]) => {
    for (const pm of pms) s.put.run({ id: pm.id, incidentId: pm.incident.id, rev: pm.rev, json: JSON.stringify(pm) });
  });
  const replaceMarks = db.transaction((since: string, marks: readonly ReviewMark[]) => {
    s.deleteMarks.run(since);
    for (const m of marks) s.putMark.run(m.week, m.itemKey, JSON.stringify(m));
  });
  return {
    list() {
      const out: Postmortem[] = [];
      for (const j of s.list.all() as string[]) {
        const pm = parse(Postmortem, j);
        if (pm) out.push(pm);
      }
      out.sort((a, b) => b.incident.firedAt.localeCompare(a.incident.firedAt) || a.id.localeCompare(b.id));
      return out.slice(0, MAX_LISTED);
    },
    get(id) {
      const j = s.get.get(id) as string | undefined;
      return j === undefined ? null : parse(Postmortem, j);
    },
    forIncident(incidentId) {
      const j = s.forIncident.get(incidentId) as string | undefined;
      return j === undefined ? null : parse(Postmortem, j);
    },
    maxRev: () => s.maxRev.get() as number,
    put: (pms) => putAll(pms),
    clear: () => void s.clear.run(),
    replaceMarks: (since, marks) => replaceMarks(since, marks),
    marks(week) {
      const out: ReviewMark[] = [];
      for (const j of s.marks.all(week, MAX_MARKS_READ) as string[]) {
        const m = parse(ReviewMark, j);
        if (m) out.push(m);
      }
      return out;
    },
    reviewAlerts(start, end) {
      const out: Alert[] = [];
      for (const j of s.reviewAlerts.all({ start, end, limit: MAX_REVIEW_ALERTS }) as string[]) {
        const a = parse(Alert, j);
        if (a) out.push(a);
      }
      return out;
    },
    close() {
      if (db.open) db.close();
    },
  };
}
