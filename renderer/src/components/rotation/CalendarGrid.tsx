import { hhmm, pieceBy, pieceKind, type CalendarPiece } from '../../lib/rotation';
import { ROLES } from '../../../../shared/rotation/role-shifts';

interface Day {
  startMs: number;
  endMs: number;
  label: string;
  inMonth?: boolean;
}

interface Props {
  mode: 'week' | 'month';
  days: Day[];
  pieces: CalendarPiece[];
  now: number;
  zone: string;
  user: string | undefined;
  selected: CalendarPiece | null;
  onSelect(p: CalendarPiece): void;
}

const KIND_TEXT = { roster: '', override: 'override', swap: 'swap', pending: 'pending' } as const;

function same(a: CalendarPiece | null, b: CalendarPiece): boolean {
  return a !== null && a.role === b.role && a.startMs === b.startMs;
}

/** One piece in a day cell: the name, its time edges inside the day, and its kind. */
function PieceChip({
  p,
  day,
  now,
  zone,
  user,
  selected,
  onSelect,
}: {
  p: CalendarPiece;
  day: Day;
  now: number;
  zone: string;
  user: string | undefined;
  selected: boolean;
  onSelect(p: CalendarPiece): void;
}) {
  const kind = pieceKind(p);
  const by = pieceBy(p);
  const startsHere = p.startMs > day.startMs;
  const endsHere = p.endMs < day.endMs;
  // Marked in today's cell only: the holder right now, not the whole week's chips.
  const isNow = p.startMs <= now && now < p.endMs && day.startMs <= now && now < day.endMs;
  const title = `${p.user} (${p.role})${kind !== 'roster' ? ` · ${kind}${by ? ` by ${by}` : ''}` : ''}`;
  return (
    <button
      type="button"
      className={`rot-chip rot-${p.role} rot-kind-${kind}${isNow ? ' rot-now' : ''}${p.user === user ? ' rot-me' : ''}${selected ? ' rot-selected' : ''}`}
      data-testid="rotation-piece"
      data-role={p.role}
      data-user={p.user}
      data-kind={kind}
      data-now={isNow ? 'true' : undefined}
      data-start={new Date(p.startMs).toISOString()}
      title={title}
      onClick={() => onSelect(p)}
    >
      {startsHere && <span className="rot-time">{hhmm(p.startMs, zone)} </span>}
      <span className="rot-name">{p.user}</span>
      {endsHere && <span className="rot-time"> –{hhmm(p.endMs, zone)}</span>}
      {kind !== 'roster' && (
        <span className="rot-badge" data-testid="rotation-badge">
          {KIND_TEXT[kind]}
          {by ? ` · ${by}` : ''}
        </span>
      )}
    </button>
  );
}

/** Week: a row per role, a column per day. Month: a cell per day with both roles. */
export function CalendarGrid({ mode, days, pieces, now, zone, user, selected, onSelect }: Props) {
  const inDay = (d: Day, role: string) =>
    pieces.filter((p) => p.role === role && p.startMs < d.endMs && p.endMs > d.startMs);
  const today = (d: Day) => d.startMs <= now && now < d.endMs;
  const chips = (d: Day, role: string) =>
    inDay(d, role).map((p) => (
      <PieceChip
        key={p.startMs}
        p={p}
        day={d}
        now={now}
        zone={zone}
        user={user}
        selected={same(selected, p)}
        onSelect={onSelect}
      />
    ));
  if (mode === 'week') {
    return (
      <div className="rot-week" data-testid="rotation-week">
        <div className="rot-corner" />
        {days.map((d) => (
          <div key={d.startMs} className={`rot-dayhead${today(d) ? ' rot-today' : ''}`} data-testid="rotation-day">
            {d.label}
            {today(d) && (
              <span className="rot-nowmark" data-testid="rotation-now">
                now {hhmm(now, zone)}
              </span>
            )}
          </div>
        ))}
        {ROLES.map((role) => (
          <div key={role} className="rot-row" style={{ display: 'contents' }}>
            <div className="rot-rolehead">{role === 'primary' ? 'Primary' : 'Secondary'}</div>
            {days.map((d) => (
              <div
                key={d.startMs}
                className={`rot-cell${today(d) ? ' rot-today' : ''}`}
                data-testid={`rotation-cell-${role}`}
              >
                {chips(d, role)}
              </div>
            ))}
          </div>
        ))}
      </div>
    );
  }
  return (
    <div className="rot-month" data-testid="rotation-month">
      {['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((w) => (
        <div key={w} className="rot-dayhead">
          {w}
        </div>
      ))}
      {days.map((d) => (
        <div
          key={d.startMs}
          className={`rot-mcell${d.inMonth === false ? ' rot-out' : ''}${today(d) ? ' rot-today' : ''}`}
          data-testid="rotation-day"
        >
          <div className="rot-mday">
            {d.label}
            {today(d) && (
              <span className="rot-nowmark" data-testid="rotation-now">
                now
              </span>
            )}
          </div>
          {ROLES.map((role) => (
            <div key={role} className="rot-mrole">
              <span className="rot-mlabel">{role === 'primary' ? 'P' : 'S'}</span>
              {chips(d, role)}
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
