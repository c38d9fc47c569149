import type { TimelineEntry } from '../../../shared/protocol';
import { describeTimelineEntry, sortTimeline } from '../lib/timeline';
import { Stamp } from './Time';

export function Timeline({ entries }: { entries: readonly TimelineEntry[] }) {
  if (entries.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <ol className="timeline" data-testid="timeline">
      {sortTimeline(entries).map((e) => (
        <li key={e.seq} className={`tl tl-${e.kind}`} data-kind={e.kind}>
          <span className="tl-dot" aria-hidden="true" />
          <Stamp iso={e.at} />
          <span className="tl-text">
            {describeTimelineEntry(e)}
            {e.note && <span className="tl-note">{e.note}</span>}
          </span>
        </li>
      ))}
    </ol>
  );
}
