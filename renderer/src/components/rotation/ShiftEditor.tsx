import { useState } from 'react';
import { DateTime } from 'luxon';
import { useApi } from '../../api/context';
import {
  calendarPieces,
  fromLocalInput,
  pieceBy,
  pieceKind,
  shortWhen,
  toLocalInput,
  type CalendarPiece,
  type Preview,
} from '../../lib/rotation';
import { handoffAt, weekIndex } from '../../../../shared/rotation/rotation';
import { createOverride, createSwap, removeOverrides } from './rotation-commands';

/** Weeks ahead offered as the other side of a swap. */
const SWAP_WEEKS = 12;

interface Props {
  piece: CalendarPiece;
  preview: Preview;
  roster: readonly string[];
  now: number;
  zone: string;
  onDone(): void;
}

/** The desktop override ids behind a piece: its own, or both halves of its swap. */
function removableIds(piece: CalendarPiece, preview: Preview): string[] {
  const o = piece.origin;
  if (o?.source === 'pending') return [o.change.id];
  if (o?.source !== 'desktop') return [];
  const swapId = o.stored.swapId;
  if (swapId === undefined) return [o.stored.commandId];
  return preview.origins.flatMap((x) =>
    x.source === 'desktop' && x.stored.swapId === swapId ? [x.stored.commandId] : [],
  );
}

/** Override, swap or remove, for the shift picked on the calendar. */
export function ShiftEditor({ piece, preview, roster, now, zone, onDone }: Props) {
  const api = useApi();
  const [user, setUser] = useState('');
  const [from, setFrom] = useState(toLocalInput(Math.max(piece.startMs, now), zone));
  const [to, setTo] = useState(toLocalInput(piece.endMs, zone));
  const [swapWith, setSwapWith] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const kind = pieceKind(piece);
  const by = pieceBy(piece);
  const removable = removableIds(piece, preview);
  const rot = preview.rot;
  const k = weekIndex(rot, now);
  const candidates = calendarPieces(preview, handoffAt(rot, k), handoffAt(rot, k + SWAP_WEEKS)).filter(
    (p) =>
      p.role === piece.role && p.user !== piece.user && p.via === 'roster' && p.shiftStartMs !== piece.shiftStartMs,
  );

  const done = (err: string | null, ok: string) => {
    setMessage(err ?? ok);
    if (err === null) onDone();
  };
  const submitOverride = async () => {
    const f = fromLocalInput(from, zone);
    const t = fromLocalInput(to, zone);
    if (!user.trim()) return setMessage('Who covers? Enter a name.');
    if (!f || !t) return setMessage('Enter both times.');
    done(await createOverride(api, { role: piece.role, user: user.trim(), from: f, to: t }), 'Override queued');
  };
  const submitSwap = async () => {
    const other = candidates.find((c) => String(c.startMs) === swapWith);
    if (!other) return setMessage('Pick the shift to swap with.');
    const iso = (ms: number) => DateTime.fromMillis(ms).toUTC().toISO() ?? '';
    const swapId = crypto.randomUUID();
    done(
      await createSwap(
        api,
        piece.role,
        { user: piece.user, from: iso(piece.startMs), to: iso(piece.endMs) },
        { user: other.user, from: iso(other.startMs), to: iso(other.endMs) },
        swapId,
      ),
      'Swap queued',
    );
  };

  return (
    <div className="rot-editor" data-testid="shift-editor">
      <h3 className="rot-editor-title">
        {piece.user} <span className="muted">({piece.role})</span>
      </h3>
      <p className="muted">
        {shortWhen(piece.startMs, now, zone)} → {shortWhen(piece.endMs, now, zone)}
        {kind !== 'roster' && (
          <>
            {' '}
            · {kind}
            {by ? ` made by ${by}` : kind === 'override' || kind === 'swap' ? ' (team config)' : ''}
          </>
        )}
      </p>
      <fieldset className="rot-form">
        <legend>Override: someone covers this {piece.role} shift</legend>
        <label>
          Covered by
          <input
            list="rot-roster"
            value={user}
            onChange={(e) => setUser(e.target.value)}
            data-testid="override-user"
            placeholder="name"
          />
          <datalist id="rot-roster">
            {roster.map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
        </label>
        <label>
          From
          <input
            type="datetime-local"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            data-testid="override-from"
          />
        </label>
        <label>
          To
          <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} data-testid="override-to" />
        </label>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => void submitOverride()}
          data-testid="override-create"
        >
          Create override
        </button>
      </fieldset>
      {piece.via === 'roster' && candidates.length > 0 && (
        <fieldset className="rot-form">
          <legend>Swap this week with another {piece.role} shift</legend>
          <select value={swapWith} onChange={(e) => setSwapWith(e.target.value)} data-testid="swap-with">
            <option value="">Pick a shift…</option>
            {candidates.map((c) => (
              <option key={c.startMs} value={String(c.startMs)}>
                {c.user} · {shortWhen(c.startMs, now, zone)}
              </option>
            ))}
          </select>
          <button type="button" className="btn" onClick={() => void submitSwap()} data-testid="swap-create">
            Swap
          </button>
        </fieldset>
      )}
      {removable.length > 0 && (
        <button
          type="button"
          className="btn btn-warn"
          data-testid="override-remove"
          onClick={() => void removeOverrides(api, removable).then((err) => done(err, 'Removal queued'))}
        >
          {removable.length > 1 ? 'Remove this swap' : 'Remove this override'}
        </button>
      )}
      {message && (
        <p className="rot-message" data-testid="rotation-message">
          {message}
        </p>
      )}
    </div>
  );
}
