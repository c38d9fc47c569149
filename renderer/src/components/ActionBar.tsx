import { useEffect, useRef, useState } from 'react';
import type { Alert, CommandKind, CommandRequest } from '../../../shared/protocol';
import { toIso } from '../../../shared/clock';
import { useApi } from '../api/context';
import { availableCommands, SNOOZE_CHOICES } from '../lib/alerts';
import { inFlightKinds } from '../lib/outbox';
import { serverNow } from '../store/clock';
import { sendCommand } from '../store/commands';
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

/**
 * The alert's actions. Only commands that make sense in the alert's state are offered, and a
 * command already on its way disables its button so a tired double-click does not send two.
 */
export function ActionBar({ alert }: { alert: Alert }) {
  const api = useApi();
  const items = useOutboxStore((s) => s.items);
  const available = availableCommands(alert);
  const busy = inFlightKinds(items, alert.id);
  const can = (kind: CommandKind) => available.has(kind) && !busy.has(kind);
  const send = (req: Omit<CommandRequest, 'alertId'>) => void sendCommand(api, { ...req, alertId: alert.id });

  // A row of greyed-out buttons on a resolved alert is noise; say it plainly instead.
  if (alert.status === 'resolved') {
    return (
      <div className="actions">
        <p className="actions-note">Resolved. Notes can still be added below.</p>
      </div>
    );
  }

  return (
    <div className="actions" role="toolbar" aria-label="Alert actions">
      {available.has('ack') && (
        <button
          type="button"
          className="btn btn-primary"
          disabled={!can('ack')}
          aria-keyshortcuts="a"
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
      <button type="button" className="btn" disabled={!can('resolve')} onClick={() => send({ kind: 'resolve' })}>
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
