import { useEffect, useRef, useState } from 'react';
import type { Alert, CommandKind, CommandRequest, Incident } from '../../../shared/protocol';
import { toIso } from '../../../shared/clock';
import { useApi } from '../api/context';
import { availableCommands, SNOOZE_CHOICES } from '../lib/alerts';
import { availableIncidentCommands } from '../lib/incidents';
import { inFlightKinds, type CommandTarget } from '../lib/outbox';
import { serverNow } from '../store/clock';
import { sendTargeted } from '../store/commands';
import { useOutboxStore } from '../store/outbox';

const SNOOZE_WORDS: Record<string, string> = { '15m': '15 minutes', '1h': '1 hour', '4h': '4 hours' };

/** "Snooze" opens a short menu, so there is exactly one button named Snooze. */
function SnoozeMenu({ disabled, onSnooze }: { disabled: boolean; onSnooze(ms: number): void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onMouse = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    // Capture phase, and swallow the key: Esc here closes the menu, not the whole detail pane.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    };
    document.addEventListener('mousedown', onMouse);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('mousedown', onMouse);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [open]);
  return (
    <div className="menu-anchor" ref={ref}>
      <button
        type="button"
        className="btn"
        disabled={disabled}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        Snooze
      </button>
      {open && (
        <div className="menu" role="menu" aria-label="Snooze for">
          {SNOOZE_CHOICES.map(([label, ms], i) => (
            <button
              key={label}
              autoFocus={i === 0}
              type="button"
              role="menuitem"
              className="menu-item"
              onClick={() => {
                setOpen(false);
                onSnooze(ms);
              }}
            >
              {SNOOZE_WORDS[label] ?? label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/** What the bar acts on: an incident (and so all its members) or one alert. */
export type ActionSubject = { kind: 'incident'; incident: Incident } | { kind: 'alert'; alert: Alert };

/**
 * The actions of an incident or an alert. Only commands that make sense in its current state are
 * offered, and a command already on its way disables its button so a tired double-click does not
 * send two. On an alert, ack/unack/snooze/escalate are paging state and so act on its incident.
 */
export function ActionBar({ subject }: { subject: ActionSubject }) {
  const api = useApi();
  const items = useOutboxStore((s) => s.items);
  const target: CommandTarget =
    subject.kind === 'incident' ? { incidentId: subject.incident.id } : { alertId: subject.alert.id };
  const status = subject.kind === 'incident' ? subject.incident.status : subject.alert.status;
  const available: Set<CommandKind> =
    subject.kind === 'incident' ? availableIncidentCommands(subject.incident) : availableCommands(subject.alert);
  const busy = inFlightKinds(items, target);
  const can = (kind: CommandKind) => available.has(kind) && !busy.has(kind);
  const send = (req: Omit<CommandRequest, 'alertId'>) => void sendTargeted(api, target, req);
  const noun = subject.kind === 'incident' ? 'Incident' : 'Alert';

  // A row of greyed-out buttons on a resolved one is noise; say it plainly instead.
  if (status === 'resolved') {
    return (
      <div className="actions">
        <p className="actions-note">Resolved. Notes can still be added below.</p>
      </div>
    );
  }

  return (
    <div className="actions" role="toolbar" aria-label={`${noun} actions`} data-testid={`${subject.kind}-actions`}>
      {available.has('ack') && (
        <button
          type="button"
          className="btn btn-primary"
          disabled={!can('ack')}
          aria-keyshortcuts="a"
          data-testid="action-ack"
          title={subject.kind === 'alert' ? 'Acknowledges its whole incident' : 'Acknowledges every alert in it'}
          onClick={() => send({ kind: 'ack' })}
        >
          Acknowledge
          <kbd className="btn-kbd" aria-hidden="true">
            a
          </kbd>
        </button>
      )}
      {available.has('unack') && (
        <button type="button" className="btn" disabled={!can('unack')} onClick={() => send({ kind: 'unack' })}>
          Unacknowledge
        </button>
      )}
      <button type="button" className="btn" disabled={!can('mitigate')} onClick={() => send({ kind: 'mitigate' })}>
        Mark mitigated
      </button>
      <button
        type="button"
        className="btn"
        disabled={!can('resolve')}
        data-testid="action-resolve"
        onClick={() => send({ kind: 'resolve' })}
      >
        Resolve
      </button>
      <SnoozeMenu
        disabled={!can('snooze')}
        onSnooze={(ms) => send({ kind: 'snooze', until: toIso(serverNow() + ms) })}
      />
      <span className="actions-gap" />
      <button
        type="button"
        className="btn btn-warn"
        disabled={!can('escalate')}
        title="Pull in the next escalation level now"
        onClick={() => send({ kind: 'escalate' })}
      >
        Escalate
      </button>
    </div>
  );
}
