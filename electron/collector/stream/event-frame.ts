import { toIso } from '../../../shared/clock.js';
import type { EventFrame, IncidentFrame } from '../../../shared/protocol/stream.js';
import {
  isIncidentEntry,
  type IncidentLogEntry,
  type LogEntry,
  type RawStreamEntry,
  type StreamEntry,
} from '../store/store.js';

/** The `event` frame for one alert log entry. */
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

/** The `incident` frame for one incident log entry (issue 12). */
export function incidentFrame(e: IncidentLogEntry): IncidentFrame {
  return {
    type: 'incident',
    seq: e.seq,
    at: toIso(e.at),
    incidentId: e.incidentId,
    kind: e.kind,
    ...(e.actor !== undefined ? { actor: e.actor } : {}),
    ...(e.note !== undefined ? { note: e.note } : {}),
    incident: e.incident,
  };
}

export function eventFrameText(e: StreamEntry): string {
  return JSON.stringify(isIncidentEntry(e) ? incidentFrame(e) : eventFrame(e));
}

/**
 * The same frame for a raw log row, splicing in the alert (or incident) JSON as stored instead
 * of parsing and re-serialising it (the bulk of a replay's cost). The stored text is what
 * `appendLog` wrote with JSON.stringify of a validated value, so the result is the same JSON
 * `eventFrameText` gives.
 */
export function rawEventFrameText(e: RawStreamEntry): string {
  const common = {
    seq: e.seq,
    at: toIso(e.at),
  };
  const tail = {
    kind: e.kind,
    ...(e.actor !== undefined ? { actor: e.actor } : {}),
    ...(e.note !== undefined ? { note: e.note } : {}),
  };
  if ('incidentJson' in e) {
    const head = JSON.stringify({
      type: 'incident',
      ...common,
      incidentId: e.incidentId,
      ...tail,
    } satisfies Omit<IncidentFrame, 'incident'>);
    return `${head.slice(0, -1)},"incident":${e.incidentJson}}`;
  }
  const head = JSON.stringify({
    type: 'event',
    ...common,
    alertId: e.alertId,
    ...tail,
  } satisfies Omit<EventFrame, 'alert'>);
  return `${head.slice(0, -1)},"alert":${e.alertJson}}`;
}
