import type { Alert, TimelineEntry } from '../../../shared/protocol';
import { describeTimelineEntry, sortTimeline, timelineSubject } from '../lib/timeline';
import { Stamp } from './Time';

/**
 * An alert's timeline, or an incident's merged one: there, entries about a member alert name it
 * ("error-rate · checkout") and the incident's own entries stand alone.
 */
export function Timeline({ entries, members }: { entries: readonly TimelineEntry[]; members?: readonly Alert[] }) {
  if (entries.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <ol className="timeline" data-testid="timeline">
      {sortTimeline(entries).map((e) => {
        const subject = members ? timelineSubject(e, members) : null;
        return (
          <li
            key={`${e.seq}-${e.alertId ?? ''}`}
            className={`tl tl-${e.kind}${subject ? ' tl-member' : ''}`}
            data-kind={e.kind}
            data-alert-id={e.alertId}
          >
            <span className="tl-dot" aria-hidden="true" />
            <Stamp iso={e.at} />
            <span className="tl-text">
              {subject && (
                <span className="tl-subject" data-testid="tl-subject">
                  {subject}
                </span>
              )}
              {describeTimelineEntry(e)}
              {e.note && <span className="tl-note">{e.note}</span>}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
