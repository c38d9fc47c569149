import { useEffect } from 'react';
import type { TargetedCommandKind, VigilApi } from '../../../shared/protocol';
import { useApi } from '../api/context';
import { availableCommands } from '../lib/alerts';
import { availableIncidentCommands } from '../lib/incidents';
import { inFlightKinds, type CommandTarget } from '../lib/outbox';
import { sendTargeted } from '../store/commands';
import { useInboxStore, visibleItems, type InboxState } from '../store/inbox';
import { useOutboxStore } from '../store/outbox';

/** Single-key commands (issue 6): acknowledge, mitigate, escalate, resolve. */
const KEY_COMMANDS: Record<string, TargetedCommandKind | undefined> = {
  a: 'ack',
  m: 'mitigate',
  e: 'escalate',
  r: 'resolve',
};

/**
 * What a key command acts on: the row under the cursor (an incident, or a member alert), else
 * what the detail pane shows. Sends only what makes sense in its state and is not in flight.
 */
function sendKeyCommand(api: VigilApi, s: InboxState, kind: TargetedCommandKind): boolean {
  const item = s.cursor === null ? undefined : visibleItems(s).find((i) => i.key === s.cursor);
  let target: CommandTarget | null = null;
  let ok = false;
  if (item?.kind === 'incident') {
    target = { incidentId: item.incident.id };
    ok = availableIncidentCommands(item.incident).has(kind);
  } else if (item?.kind === 'member') {
    target = { alertId: item.alert.id };
    ok = availableCommands(item.alert).has(kind);
  } else if (s.open?.kind === 'incident') {
    const open = s.open;
    const incident = s.incidents.find((i) => i.id === open.id);
    target = { incidentId: open.id };
    ok = incident !== undefined && availableIncidentCommands(incident).has(kind);
  } else if (s.open?.kind === 'alert' && s.alertDetail) {
    target = { alertId: s.alertDetail.alert.id };
    ok = availableCommands(s.alertDetail.alert).has(kind);
  }
  if (!target || !ok || inFlightKinds(useOutboxStore.getState().items, target).has(kind)) return false;
  void sendTargeted(api, target, { kind });
  return true;
}

/** Opens what the cursor is on: an incident, or a member alert. */
function openCursor(s: InboxState): boolean {
  const item = s.cursor === null ? undefined : visibleItems(s).find((i) => i.key === s.cursor);
  if (item?.kind === 'incident') s.openIncident(item.incident.id);
  else if (item?.kind === 'member') s.openAlert(item.alert.id);
  else return false;
  return true;
}

/** The incident under the cursor (or whose member it is). */
function cursorIncident(s: InboxState): string | null {
  const item = s.cursor === null ? undefined : visibleItems(s).find((i) => i.key === s.cursor);
  if (!item) return null;
  return item.kind === 'incident' ? item.incident.id : item.incidentId;
}

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
 * j/k or ↓/↑ move the cursor (over incidents and expanded members), x or →/← expand/collapse the
 * incident's members in place, Enter opens, Esc closes the detail; a acknowledges, m marks
 * mitigated, e escalates, r resolves, s opens the snooze durations, c starts a comment.
 */
export function useInboxKeys(): void {
  const api = useApi();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      // A modal (the silence dialog) owns the keyboard: "a" there must not ack the row behind it.
      if (document.querySelector('[aria-modal="true"]')) return;
      const s = useInboxStore.getState();
      switch (e.key) {
        case 'j':
        case 'ArrowDown':
          s.moveCursor(1);
          break;
        case 'k':
        case 'ArrowUp':
          s.moveCursor(-1);
          break;
        case 'x':
        case 'ArrowRight':
        case 'ArrowLeft': {
          const id = cursorIncident(s);
          if (id === null) return;
          s.setExpanded(id, e.key === 'x' ? undefined : e.key === 'ArrowRight');
          break;
        }
        case 'Enter':
          // Enter on a focused button or link belongs to that control.
          if (e.target instanceof HTMLButtonElement || e.target instanceof HTMLAnchorElement) return;
          if (!openCursor(s)) return;
          break;
        case 'Escape':
          if (s.open === null) return;
          s.close();
          break;
        case 'a':
        case 'm':
        case 'e':
        case 'r': {
          const kind = KEY_COMMANDS[e.key];
          if (!kind || !sendKeyCommand(api, s, kind)) return;
          break;
        }
        case 's':
        case 'c': {
          // Snooze needs a duration and a comment needs text: open the row and hand over to its controls.
          if (s.open === null && !openCursor(s)) return;
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
