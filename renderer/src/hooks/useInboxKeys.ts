import { useEffect } from 'react';
import type { CommandKind } from '../../../shared/protocol';
import { useApi } from '../api/context';
import { availableCommands } from '../lib/alerts';
import { inFlightKinds } from '../lib/outbox';
import { useAlertsStore } from '../store/alerts';
import { sendCommand } from '../store/commands';
import { useOutboxStore } from '../store/outbox';

/** Single-key commands (issue 6): acknowledge, mitigate, escalate, resolve. */
const KEY_COMMANDS: Record<string, CommandKind | undefined> = { a: 'ack', m: 'mitigate', e: 'escalate', r: 'resolve' };

/** Opens the snooze menu (its durations) or focuses the comment box of the open alert. */
function focusControl(which: 'snooze' | 'comment'): void {
  if (which === 'snooze')
    document.querySelector<HTMLButtonElement>('.actions [aria-haspopup="menu"]:not(:disabled)')?.click();
  else document.querySelector<HTMLTextAreaElement>('form.comment textarea')?.focus();
}

/** Keys typed into a field are text, not shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * Inbox shortcuts, on the document so they work wherever focus is (except in text fields):
 * j/k or ↓/↑ move the cursor, Enter opens, Esc closes the detail; a acknowledges, m marks mitigated,
 * e escalates, r resolves, s opens the snooze durations, c starts a comment.
 */
export function useInboxKeys(): void {
  const api = useApi();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const s = useAlertsStore.getState();
      switch (e.key) {
        case 'j':
        case 'ArrowDown':
          s.moveCursor(1);
          break;
        case 'k':
        case 'ArrowUp':
          s.moveCursor(-1);
          break;
        case 'Enter':
          // Enter on a focused button or link belongs to that control.
          if (e.target instanceof HTMLButtonElement || e.target instanceof HTMLAnchorElement) return;
          if (s.cursorId === null) return;
          s.open(s.cursorId);
          break;
        case 'Escape':
          if (s.openId === null) return;
          s.open(null);
          break;
        case 'a':
        case 'm':
        case 'e':
        case 'r': {
          const kind = KEY_COMMANDS[e.key];
          const id = s.cursorId ?? s.openId;
          const alert = s.alerts.find((x) => x.id === id);
          if (!kind || !alert || !availableCommands(alert).has(kind)) return;
          if (inFlightKinds(useOutboxStore.getState().items, alert.id).has(kind)) return;
          void sendCommand(api, { kind, alertId: alert.id });
          break;
        }
        case 's':
        case 'c': {
          // Snooze needs a duration and a comment needs text: open the alert and hand over to its controls.
          const id = s.openId ?? s.cursorId;
          if (id === null) return;
          if (s.openId !== id) s.open(id);
          requestAnimationFrame(() => focusControl(e.key === 's' ? 'snooze' : 'comment'));
          break;
        }
        default:
          return;
      }
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [api]);
}
