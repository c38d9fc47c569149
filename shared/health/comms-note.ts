import { DateTime } from 'luxon';
import { PROVIDER_DOWN_RULE_ID } from '../rules/provider-down.js';

/** The next customer update is promised this long after the note is written. */
export const COMMS_NEXT_UPDATE_MS = 30 * 60_000;

export interface CommsNoteInput {
  provider: string;
  /** Services whose alerts are in the incident (what is affected). */
  services: readonly string[];
  sinceMs: number;
  nowMs: number;
  /** The zone the times are written in (the reader's). */
  zone: string;
}

/**
 * A customer-comms note for a provider-down incident: what is affected, since when, when the
 * next update comes. Plain text, so it pastes anywhere (status page, chat, email).
 */
export function customerCommsNote(input: CommsNoteInput): string {
  const at = (ms: number) => DateTime.fromMillis(ms, { zone: input.zone }).toFormat('yyyy-LL-dd HH:mm ZZZZ');
  const affected = input.services.length > 0 ? input.services.join(', ') : 'features that use this provider';
  return [
    `Subject: Degraded service: upstream provider ${input.provider} outage`,
    '',
    `What is affected: ${affected}. Requests that depend on ${input.provider} may fail or be slow.`,
    `Since: ${at(input.sinceMs)}.`,
    `Cause: our AI provider ${input.provider} is having an outage; we are monitoring it and working on mitigations.`,
    `Next update: by ${at(input.nowMs + COMMS_NEXT_UPDATE_MS)}, or sooner if things change.`,
  ].join('\n');
}

/** What a note needs from an alert. */
interface NoteAlert {
  ruleId: string;
  status: string;
  firedAt: string;
  labels: { service?: string | undefined; provider?: string | undefined };
}

/**
 * The comms note for an incident's members, when one of them is an open provider-down alert:
 * the provider it names, every service among the members, since the earliest such alert fired.
 */
export function commsNoteFor(alerts: readonly NoteAlert[], nowMs: number, zone: string): string | null {
  const down = alerts.filter(
    (a) => a.ruleId === PROVIDER_DOWN_RULE_ID && a.status !== 'resolved' && a.labels.provider !== undefined,
  );
  const first = [...down].sort((a, b) => Date.parse(a.firedAt) - Date.parse(b.firedAt))[0];
  if (!first?.labels.provider) return null;
  const services = [...new Set(alerts.flatMap((a) => (a.labels.service ? [a.labels.service] : [])))].sort();
  return customerCommsNote({
    provider: first.labels.provider,
    services,
    sinceMs: Date.parse(first.firedAt),
    nowMs,
    zone,
  });
}
