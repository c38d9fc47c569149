import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime, IANAZone } from 'luxon';

/** The demo team's handoff: Monday 10:00 in the desktop's own zone. */
const DEMO_HANDOFF = { day: 'monday', time: '10:00', hour: 10 } as const;
/**
 * Teammates beside the desktop's user: the secondary and the next week's (the roster) and the
 * escalation contact (level 3). One spare per slot, in case the user already has that name.
 */
const DEMO_TEAMMATES = ['alex', 'sam', 'kim', 'robin'] as const;
export const DEMO_CONFIG_FILE = 'demo-config.yaml';
/**
 * The demo's group wait before an incident's first ring (the default is 30 s): the outage's
 * alerts still gather into one incident, and the newcomer hears it seconds after opening the page.
 */
export const DEMO_GROUP_WAIT = '5s';

/**
 * A rotation for the demo, so a newcomer sees the product's core moment at once (issue 16): the
 * desktop's user is THIS week's primary, `alex` secondary and `kim` the escalation contact, so the
 * demo outage pages (and rings for) the person at the keyboard within a minute. Issue 14 had made
 * the user secondary, which left the first run silent until the page escalated half an hour later.
 */
export function demoConfigYaml(user: string, nowMs: number, zone: string): string {
  const tz = IANAZone.isValidZone(zone) ? zone : 'UTC';
  const now = DateTime.fromMillis(nowMs, { zone: tz });
  let handoff = now.startOf('week').set({ hour: DEMO_HANDOFF.hour });
  if (handoff > now) handoff = handoff.minus({ weeks: 1 });
  const others = DEMO_TEAMMATES.filter((n) => n !== user);
  // JSON strings are valid YAML scalars: any user name is quoted safely.
  const roster = [user, others[0], others[1]].map((n) => JSON.stringify(n)).join(', ');
  return [
    'grouping:',
    `  wait: ${DEMO_GROUP_WAIT}`,
    'rotation:',
    `  timeZone: ${JSON.stringify(tz)}`,
    `  handoff: { day: ${DEMO_HANDOFF.day}, time: "${DEMO_HANDOFF.time}" }`,
    `  start: "${handoff.toISODate() ?? ''}"`,
    `  roster: [${roster}]`,
    `  escalationContact: ${JSON.stringify(others[2])}`,
    '',
  ].join('\n');
}

/** Writes the demo config into the (private) collector data dir; returns its path for `--config`. */
export function writeDemoConfig(dataDir: string, yaml: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DEMO_CONFIG_FILE);
  writeFileSync(file, yaml, { mode: 0o600 });
  return file;
}
