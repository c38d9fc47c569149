import { useMemo, useState } from 'react';
import { DateTime } from 'luxon';
import { useApi } from '../../api/context';
import {
  calendarPieces,
  monthDays,
  previewRotation,
  viewerZone,
  weekDays,
  type CalendarPiece,
  type Preview,
} from '../../lib/rotation';
import { useServerNow } from '../../store/clock';
import { useRotationStore } from '../../store/rotation';
import { useSyncStore } from '../../store/sync';
import { CalendarGrid } from './CalendarGrid';
import { RotationChanges } from './RotationChanges';
import { ShiftEditor } from './ShiftEditor';
import { exportIcs } from './rotation-commands';
import './rotation.css';

type Mode = 'week' | 'month';

/** Pieces are computed this far past the shown days (longer than a weekly shift). */
const EDGE_MARGIN_MS = 8 * 86_400_000;

/**
 * The on-call calendar (issue 14): who is primary and secondary, week or month, in the viewer's
 * zone with the team's zone named; overrides and swaps marked with who made them; "now" marked.
 * Reads the cached rotation (works offline); edits go through the outbox.
 */
export function RotationView() {
  const api = useApi();
  const cached = useRotationStore((s) => s.cached);
  const changes = useRotationStore((s) => s.changes);
  const loaded = useRotationStore((s) => s.loaded);
  const error = useRotationStore((s) => s.error);
  const user = useSyncStore((s) => s.status?.user);
  const now = useServerNow();
  const zone = viewerZone();
  const [mode, setMode] = useState<Mode>('week');
  const [anchor, setAnchor] = useState<number | null>(null);
  const [selected, setSelected] = useState<CalendarPiece | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const at = anchor ?? now;
  const preview: Preview | null = useMemo(() => previewRotation(cached, changes), [cached, changes]);
  const days = mode === 'week' ? weekDays(at, zone) : monthDays(at, zone);
  const first = days[0];
  const last = days[days.length - 1];
  // Recomputed per minute, not per second tick: the calendar does not move within a minute.
  const minute = Math.floor(now / 60_000);
  const pieces = useMemo(
    // A week past both edges: a piece crossing the edge keeps its real start and end (chips and the editor show them).
    () =>
      preview && first && last
        ? calendarPieces(preview, first.startMs - EDGE_MARGIN_MS, last.endMs + EDGE_MARGIN_MS)
        : [],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [preview, first?.startMs, last?.endMs, minute],
  );

  if (!loaded) return <section className="rotation muted">Loading the rotation…</section>;
  if (error !== null && !cached) {
    return (
      <section className="rotation" data-testid="rotation-view">
        <p className="notice-failed">Rotation unavailable: {error}</p>
      </section>
    );
  }
  const rot = cached?.view.rotation;
  if (!cached || !rot || !preview) {
    return (
      <section className="rotation" data-testid="rotation-view">
        <p className="muted" data-testid="rotation-empty">
          {cached ? 'The collector has no rotation configured.' : 'The rotation has not been fetched yet.'}
        </p>
      </section>
    );
  }
  const step = (dir: number) => {
    const d = DateTime.fromMillis(at, { zone });
    setAnchor((mode === 'week' ? d.plus({ weeks: dir }) : d.plus({ months: dir })).toMillis());
  };
  const title =
    mode === 'week'
      ? `Week of ${DateTime.fromMillis(first?.startMs ?? at, { zone }).toFormat('d LLL yyyy')}`
      : DateTime.fromMillis(at, { zone }).toFormat('LLLL yyyy');

  return (
    <section className="rotation" data-testid="rotation-view" aria-label="Rotation">
      <header className="rot-head">
        <h2 className="section-title" data-testid="rotation-title">
          {title}
        </h2>
        <div className="rot-zones" data-testid="rotation-zones">
          Times in your zone <strong>{zone}</strong> · team zone <strong>{rot.timeZone}</strong> · handoff{' '}
          {rot.handoff.day} {rot.handoff.time}
        </div>
        <div className="spacer" />
        <div className="rot-nav">
          <button type="button" className="btn" onClick={() => step(-1)} aria-label="Previous">
            ‹
          </button>
          <button type="button" className="btn" onClick={() => setAnchor(null)} data-testid="rotation-today">
            Today
          </button>
          <button type="button" className="btn" onClick={() => step(1)} aria-label="Next">
            ›
          </button>
          <div className="tabs" role="tablist">
            {(['week', 'month'] as const).map((m) => (
              <button
                key={m}
                type="button"
                role="tab"
                className="tab"
                aria-selected={mode === m}
                data-testid={`rotation-mode-${m}`}
                onClick={() => setMode(m)}
              >
                {m === 'week' ? 'Week' : 'Month'}
              </button>
            ))}
          </div>
          <button
            type="button"
            className="btn"
            data-testid="rotation-export"
            title="An iCal file of the next 26 weeks, built from the cached rotation (works offline)"
            onClick={() => void exportIcs(api).then(setExportError)}
          >
            Export .ics
          </button>
          {user && (
            <button
              type="button"
              className="btn"
              data-testid="rotation-export-mine"
              onClick={() => void exportIcs(api, user).then(setExportError)}
            >
              Export my shifts
            </button>
          )}
        </div>
      </header>
      {exportError && <p className="notice-failed">Export failed: {exportError}</p>}
      <div className="rot-body">
        <CalendarGrid
          mode={mode}
          days={days}
          pieces={pieces}
          now={now}
          zone={zone}
          user={user}
          selected={selected}
          onSelect={setSelected}
        />
        <aside className="rot-side">
          {selected ? (
            <ShiftEditor
              key={`${selected.role}-${selected.startMs}`}
              piece={selected}
              preview={preview}
              roster={rot.roster}
              now={now}
              zone={zone}
              onDone={() => setSelected(null)}
            />
          ) : (
            <p className="muted">Pick a shift to override it, swap it or remove an override.</p>
          )}
          <RotationChanges changes={changes} zone={zone} now={now} />
        </aside>
      </div>
    </section>
  );
}
