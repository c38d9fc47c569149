import type { Alert } from '../../../shared/protocol/alert.js';
import { MAX_SERVER_FRAME_BYTES, type SnapshotFrame } from '../../../shared/protocol/stream.js';

export interface SnapshotPageBounds {
  /** Alerts and incidents per page at most (together). */
  maxAlerts: number;
  /** A page stops growing once the next item would take it past this many bytes. */
  maxBytes: number;
  /** No frame may be larger (the client's maxPayload): an item too big for it alone is skipped. */
  maxFrameBytes: number;
}

/** 500 items or 4 MiB a page: sixteen times under the desktop's 64 MiB frame limit. */
export const SNAPSHOT_PAGE_BOUNDS: SnapshotPageBounds = {
  maxAlerts: 500,
  maxBytes: 4 * 1024 * 1024,
  maxFrameBytes: MAX_SERVER_FRAME_BYTES,
};

export interface SnapshotPage {
  text: string;
  alerts: number;
  incidents: number;
  bytes: number;
  last: boolean;
}

/** An incident as its stored JSON text (spliced in, not re-serialised). */
export interface IncidentText {
  id: string;
  json: string;
}

/** The frame head without its items; `alerts` then `incidents` close it so the serialized items splice in. */
function head(lastSeq: number, page: number, last: boolean): string {
  const h = JSON.stringify({ type: 'snapshot', lastSeq, page, last } satisfies Omit<
    SnapshotFrame,
    'alerts' | 'incidents'
  >);
  return `${h.slice(0, -1)},"alerts":[`;
}
const MIDDLE = '],"incidents":[';
const TAIL = ']}';

interface Item {
  kind: 'alert' | 'incident';
  json: string;
  bytes: number;
}

/**
 * A snapshot's frames, bounded by count and bytes: the alerts, then the incidents (issue 12:
 * every incident arrives in some page), counted together. Each item is serialized once, with
 * one item of lookahead so the final page can say `last: true`. At least one page is produced
 * (an empty set is one empty last page). An item that could not fit a frame even alone is
 * reported and left out rather than sent in a frame the client must refuse (that would stop the
 * client from ever syncing).
 */
export function* snapshotPages(
  lastSeq: number,
  alerts: Iterable<Alert>,
  bounds: SnapshotPageBounds,
  onOversized: (id: string, bytes: number) => void,
  incidents: Iterable<IncidentText> = [],
): Generator<SnapshotPage> {
  // Largest head we can produce; counted against the bounds so they hold for the whole frame.
  const overhead = Buffer.byteLength(head(lastSeq, Number.MAX_SAFE_INTEGER, false)) + MIDDLE.length + TAIL.length;
  const items = (function* (): Generator<Item> {
    for (const a of alerts) {
      const json = JSON.stringify(a);
      const bytes = Buffer.byteLength(json);
      if (overhead + bytes > bounds.maxFrameBytes) {
        onOversized(a.id, bytes);
        continue;
      }
      yield { kind: 'alert', json, bytes };
    }
    for (const i of incidents) {
      const bytes = Buffer.byteLength(i.json);
      if (overhead + bytes > bounds.maxFrameBytes) {
        onOversized(i.id, bytes);
        continue;
      }
      yield { kind: 'incident', json: i.json, bytes };
    }
  })();
  let page = 0;
  let next = items.next();
  for (;;) {
    const parts: { alert: string[]; incident: string[] } = { alert: [], incident: [] };
    let count = 0;
    let bytes = overhead;
    while (!next.done) {
      const { kind, json, bytes: b } = next.value;
      // +1 for the comma; the first item of a page always goes in (it fits a frame alone).
      const grown = bytes + b + (parts[kind].length > 0 ? 1 : 0);
      if (count > 0 && (count >= bounds.maxAlerts || grown > bounds.maxBytes)) break;
      parts[kind].push(json);
      count += 1;
      bytes = grown;
      next = items.next();
    }
    const last = next.done === true;
    const text = head(lastSeq, page, last) + parts.alert.join(',') + MIDDLE + parts.incident.join(',') + TAIL;
    yield {
      text,
      alerts: parts.alert.length,
      incidents: parts.incident.length,
      bytes: Buffer.byteLength(text),
      last,
    };
    if (last) return;
    page += 1;
  }
}
