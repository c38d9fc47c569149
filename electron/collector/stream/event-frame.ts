import { toIso } from '../../../shared/clock.js';
import type { EventFrame } from '../../../shared/protocol/stream.js';
import type { LogEntry, RawLogEntry } from '../store/store.js';

/** The `event` frame for one log entry. */
export function eventFrame(e: LogEntry): EventFrame {
  return {
    type: 'event',
    seq: e.seq,
    at: toIso(e.at),
    alertId: e.alertId,
    kind: e.kind,
    ...(e.actor !== undefined ? { actor: e.actor } : {}),
    ...(e.note !== undefined ? { note: e.note } : {}),
    alert: e.alert,
  };
}

export function eventFrameText(e: LogEntry): string {
  return JSON.stringify(eventFrame(e));
}

/**
 * The same frame for a raw log row, splicing in the alert JSON as stored instead of parsing and
 * re-serialising it (the bulk of a replay's cost). The stored text is what `appendLog` wrote
 * with JSON.stringify of a validated Alert, so the result is the same JSON `eventFrameText` gives.
 */
export function rawEventFrameText(e: RawLogEntry): string {
  const head = JSON.stringify({
    type: 'event',
    seq: e.seq,
    at: toIso(e.at),
    alertId: e.alertId,
    kind: e.kind,
    ...(e.actor !== undefined ? { actor: e.actor } : {}),
    ...(e.note !== undefined ? { note: e.note } : {}),
  } satisfies Omit<EventFrame, 'alert'>);
  return `${head.slice(0, -1)},"alert":${e.alertJson}}`;
}
