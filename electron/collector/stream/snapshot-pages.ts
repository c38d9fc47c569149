import type { Alert } from '../../../shared/protocol/alert.js';
import { MAX_SERVER_FRAME_BYTES, type SnapshotFrame } from '../../../shared/protocol/stream.js';

export interface SnapshotPageBounds {
  /** Alerts per page at most. */
  maxAlerts: number;
  /** A page stops growing once the next alert would take it past this many bytes. */
  maxBytes: number;
  /** No frame may be larger (the client's maxPayload): an alert too big for it alone is skipped. */
  maxFrameBytes: number;
}

/** 500 alerts or 4 MiB a page: sixteen times under the desktop's 64 MiB frame limit. */
export const SNAPSHOT_PAGE_BOUNDS: SnapshotPageBounds = {
  maxAlerts: 500,
  maxBytes: 4 * 1024 * 1024,
  maxFrameBytes: MAX_SERVER_FRAME_BYTES,
};

export interface SnapshotPage {
  text: string;
  alerts: number;
  bytes: number;
  last: boolean;
}

/** The frame head without its alerts; `alerts` is last so the serialized alerts splice in. */
function head(lastSeq: number, page: number, last: boolean): string {
  const h = JSON.stringify({ type: 'snapshot', lastSeq, page, last } satisfies Omit<SnapshotFrame, 'alerts'>);
  return `${h.slice(0, -1)},"alerts":[`;
}
const TAIL = ']}';

/**
 * A snapshot's frames, bounded by count and bytes. Each alert is serialized once, with one
 * alert of lookahead so the final page can say `last: true`. At least one page is produced (an
 * empty alert set is one empty last page). An alert that could not fit a frame even alone is
 * reported and left out rather than sent in a frame the client must refuse (that would stop the
 * client from ever syncing).
 */
export function* snapshotPages(
  lastSeq: number,
  alerts: Iterable<Alert>,
  bounds: SnapshotPageBounds,
  onOversized: (alertId: string, bytes: number) => void,
): Generator<SnapshotPage> {
  // Largest head we can produce; counted against the bounds so they hold for the whole frame.
  const overhead = Buffer.byteLength(head(lastSeq, Number.MAX_SAFE_INTEGER, false)) + TAIL.length;
  const items = (function* (): Generator<{ json: string; bytes: number }> {
    for (const a of alerts) {
      const json = JSON.stringify(a);
      const bytes = Buffer.byteLength(json);
      if (overhead + bytes > bounds.maxFrameBytes) {
        onOversized(a.id, bytes);
        continue;
      }
      yield { json, bytes };
    }
  })();
  let page = 0;
  let next = items.next();
  for (;;) {
    const parts: string[] = [];
    let bytes = overhead;
    while (!next.done) {
      const { json, bytes: b } = next.value;
      // +1 for the comma; the first alert of a page always goes in (it fits a frame alone).
      const grown = bytes + b + (parts.length > 0 ? 1 : 0);
      if (parts.length > 0 && (parts.length >= bounds.maxAlerts || grown > bounds.maxBytes)) break;
      parts.push(json);
      bytes = grown;
      next = items.next();
    }
    const last = next.done === true;
    const text = head(lastSeq, page, last) + parts.join(',') + TAIL;
    yield { text, alerts: parts.length, bytes: Buffer.byteLength(text), last };
    if (last) return;
    page += 1;
  }
}
