import { DAY_MS, toIso } from '../../../../shared/clock.js';
import { PostmortemPage, REVIEW_SYNC_WEEKS, ReviewMarkList } from '../../../../shared/postmortem/schema.js';
import { weekOf } from '../../../../shared/postmortem/week.js';
import { CollectorPull, type CollectorPullOptions } from '../collector-pull.js';
import type { PostmortemCache } from './postmortem-cache.js';

export interface PostmortemSyncOptions extends CollectorPullOptions {
  cache: PostmortemCache;
}

/** Between pulls while connected; changes from any desktop are also pushed (a `postmortems` frame). */
export const POSTMORTEM_POLL_MS = 60_000;
/** Pages pulled in one go at most (50 postmortems each); the rest comes with the next pull. */
const MAX_PAGES_PER_PULL = 40;

/**
 * Keeps the cached postmortems and review marks fresh: on every connect, every minute, and when
 * the collector announces a change. Postmortems come by rev (only what changed after ours);
 * review marks of the last REVIEW_SYNC_WEEKS weeks are replaced whole (they are few). A failed
 * pull keeps the cache as it was, so everything stays readable offline.
 */
export class PostmortemSync extends CollectorPull<string> {
  constructor(private readonly opts: PostmortemSyncOptions) {
    super(opts, 'postmortem sync', POSTMORTEM_POLL_MS);
  }

  protected async pull(): Promise<void> {
    const { cache } = this.opts;
    let after = cache.maxRev();
    for (let page = 0; page < MAX_PAGES_PER_PULL; page++) {
      const body = await this.getJson(`/v1/postmortems?after=${after}`, PostmortemPage);
      if (this.disposed) return;
      if (body.rev < after) {
        // The collector's postmortems went back (a reset or another data dir): start over.
        cache.clear();
        after = 0;
        continue;
      }
      cache.put(body.postmortems);
      const last = body.postmortems[body.postmortems.length - 1];
      if (last === undefined || last.rev >= body.rev) break;
      after = last.rev;
    }
    // Weeks are named by Mondays; a UTC Monday this many weeks back covers every team zone's.
    const since = weekOf(this.clock.now() - REVIEW_SYNC_WEEKS * 7 * DAY_MS, 'UTC');
    const marks = await this.getJson(`/v1/review/marks?since=${since}`, ReviewMarkList);
    if (this.disposed) return;
    cache.replaceMarks(since, marks.marks);
    this.emitChanged(toIso(this.clock.now()));
  }
}
