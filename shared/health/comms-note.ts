import { DateTime } from 'luxon';

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
  const at = (ms: number) => DateTime.fromMillis(ms, { zone: input.zone }).toFormat("yyyy-LL-dd HH:mm ZZZZ");
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
