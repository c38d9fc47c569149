import { useEffect } from 'react';
import { useApi } from '../api/context';
import { availableCommands } from '../lib/alerts';
import { inFlightKinds } from '../lib/outbox';
import { useAlertsStore } from '../store/alerts';
import { sendCommand } from '../store/commands';
import { useOutboxStore } from '../store/outbox';

/** Keys typed into a field are text, not shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * Inbox shortcuts, on the document so they work wherever focus is (except in text fields):
 * j/k or ↓/↑ move the cursor, Enter opens, a acknowledges, Esc closes the detail.
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
        case 'a': {
          const id = s.cursorId ?? s.openId;
          const alert = s.alerts.find((x) => x.id === id);
          if (!alert || !availableCommands(alert).has('ack')) return;
          if (inFlightKinds(useOutboxStore.getState().items, alert.id).has('ack')) return;
          void sendCommand(api, { kind: 'ack', alertId: alert.id });
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
