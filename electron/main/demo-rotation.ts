import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime, IANAZone } from 'luxon';

/** The demo team's handoff: Monday 10:00 in the desktop's own zone. */
const DEMO_HANDOFF = { day: 'monday', time: '10:00', hour: 10 } as const;
/** Teammates beside the desktop's user (a third is needed for a primary, a secondary and someone off). */
const DEMO_TEAMMATES = ['alex', 'sam', 'kim'] as const;
export const DEMO_CONFIG_FILE = 'demo-config.yaml';

/**
 * A rotation for the demo (issue 14), so a newcomer sees who is on call, their own next shift
 * and names on pages at once: this week `alex` is primary and the desktop's user secondary
 * (next week primary). Pages then go to alex first and reach the user when they escalate, as
 * before the demo had a rotation (pages held by "primary" never rang here).
 */
export function demoConfigYaml(user: string, nowMs: number, zone: string): string {
  const tz = IANAZone.isValidZone(zone) ? zone : 'UTC';
  const now = DateTime.fromMillis(nowMs, { zone: tz });
  let handoff = now.startOf('week').set({ hour: DEMO_HANDOFF.hour });
  if (handoff > now) handoff = handoff.minus({ weeks: 1 });
  const others = DEMO_TEAMMATES.filter((n) => n !== user);
  // JSON strings are valid YAML scalars: any user name is quoted safely.
  const roster = [others[0], user, others[1]].map((n) => JSON.stringify(n)).join(', ');
  return [
    'rotation:',
    `  timeZone: ${JSON.stringify(tz)}`,
    `  handoff: { day: ${DEMO_HANDOFF.day}, time: "${DEMO_HANDOFF.time}" }`,
    `  start: "${handoff.toISODate() ?? ''}"`,
    `  roster: [${roster}]`,
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
