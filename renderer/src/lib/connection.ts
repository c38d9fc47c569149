import type { ConnectionState, SyncStatus } from '../../../shared/protocol';
import { formatClockShort, formatDuration, secondsUntil } from './time';

/**
 * The page's own link to whoever serves the Api. In Electron (preload) it is always "ready"; in
 * the headless host it is the bridge WebSocket, which can drop independently of the collector.
 */
export type TransportState =
  | { kind: 'ready' }
  | { kind: 'connecting' }
  | { kind: 'down'; since: number; nextRetryAt: number | null }
  /** Something answers at the host's address but could not prove it holds our token. */
  | { kind: 'impostor'; since: number; nextRetryAt: number | null }
  | { kind: 'no-token' };

export interface ConnectionView {
  /** What `data-state` on the status bar says; one of the collector's connection states. */
  state: ConnectionState;
  /** Whose link this describes: the bridge to the local host, or the sync to the collector. */
  source: 'host' | 'collector';
  /** Short phrases shown joined by " · ", most important first. */
  parts: string[];
  /** Longer text for the tooltip. */
  title: string;
}

/**
 * The status bar's wording. The bridge comes first: while it is down nothing the page shows is
 * live, whatever the last SyncStatus said.
 */
export function describeConnection(
  transport: TransportState,
  status: SyncStatus | null,
  nowMs: number,
  timeZone?: string,
): ConnectionView {
  if (transport.kind === 'no-token') {
    return { state: 'offline', source: 'host', parts: ['No access token'], title: 'The page URL has no #token=…' };
  }
  if (transport.kind === 'impostor') {
    const parts = ["the address now answers without our token: reload from the terminal's URL"];
    if (transport.nextRetryAt !== null) parts.push(`checking again in ${secondsUntil(transport.nextRetryAt, nowMs)} s`);
    return {
      state: 'offline',
      source: 'host',
      parts,
      title:
        'Whatever listens at this address could not prove it is your Vigil host, so the page keeps its token. ' +
        'Start Vigil again and open the URL it prints.',
    };
  }
  if (transport.kind === 'down') {
    const parts = ['Vigil host unreachable'];
    if (transport.nextRetryAt !== null) parts.push(`retrying in ${secondsUntil(transport.nextRetryAt, nowMs)} s`);
    parts.push(`since ${formatClockShort(transport.since, timeZone)}`);
    return { state: 'offline', source: 'host', parts, title: 'The page lost its connection to the local Vigil host.' };
  }
  if (transport.kind === 'connecting' || status === null) {
    return { state: 'connecting', source: 'host', parts: ['Connecting…'], title: 'Connecting to Vigil' };
  }

  const title = `Collector ${status.collectorUrl}`;
  if (status.refusal && status.state !== 'connected') {
    const parts = [
      status.refusal.code === 'forbidden' ? 'Refused: this token is not yours' : 'Refused: protocol mismatch',
    ];
    if (status.nextRetryAt) parts.push(`retrying in ${secondsUntil(Date.parse(status.nextRetryAt), nowMs)} s`);
    return {
      state: 'offline',
      source: 'collector',
      parts,
      title: `${title} refused this desktop: ${status.refusal.message}`,
    };
  }
  switch (status.state) {
    case 'connected':
      return { state: 'connected', source: 'collector', parts: ['Connected'], title };
    case 'connecting': {
      const parts = status.nextRetryAt
        ? [`Reconnecting in ${secondsUntil(Date.parse(status.nextRetryAt), nowMs)} s`]
        : ['Reconnecting…'];
      if (status.lastSyncAt) parts.push(dataAge(status.lastSyncAt, nowMs));
      return { state: 'connecting', source: 'collector', parts, title };
    }
    case 'offline': {
      const parts = [`Offline since ${formatClockShort(Date.parse(status.since), timeZone)}`];
      parts.push(status.lastSyncAt ? dataAge(status.lastSyncAt, nowMs) : 'no cached data');
      if (status.nextRetryAt) parts.push(`reconnecting in ${secondsUntil(Date.parse(status.nextRetryAt), nowMs)} s`);
      return { state: 'offline', source: 'collector', parts, title };
    }
  }
}

function dataAge(lastSyncIso: string, nowMs: number): string {
  return `data ${formatDuration(nowMs - Date.parse(lastSyncIso))} old`;
}

/** "1 command waiting" / "3 commands waiting", or null when nothing is queued. */
export function describePending(count: number): string | null {
  if (count <= 0) return null;
  return count === 1 ? '1 command waiting' : `${count} commands waiting`;
}
