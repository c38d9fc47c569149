import { Silence } from '../../../shared/protocol/incident.js';
import type { SilenceCommand } from './cache/index.js';

/**
 * What `silences.list` shows: the collector's list as last synced, plus what this desktop asked
 * for that the list does not reflect yet (made offline, or answered before the next `silences`
 * frame). A pending silence looks like the one the collector will make from it: its id is the
 * command id, `createdBy` this user, `startsAt` the request's or the moment it was made. A
 * pending expiry ends its silence at the moment it was asked for. Pure; newest pending first.
 */
export function listedSilences(
  synced: readonly Silence[],
  pending: readonly SilenceCommand[],
  user: string,
): Silence[] {
  const byId = new Map(synced.map((s) => [s.id, s]));
  const made: Silence[] = [];
  for (const cmd of pending) {
    if (cmd.kind === 'silence' && cmd.silence !== undefined && !byId.has(cmd.id)) {
      const r = cmd.silence;
      const startsAt = r.startsAt ?? earliest(cmd.createdAt, r.endsAt);
      const s = Silence.safeParse({
        id: cmd.id,
        matchers: r.matchers,
        startsAt,
        endsAt: r.endsAt,
        createdBy: user,
        comment: r.comment,
      });
      if (s.success) {
        byId.set(s.data.id, s.data);
        made.push(s.data);
      }
    } else if (cmd.kind === 'expire-silence' && cmd.silenceId !== undefined) {
      const s = byId.get(cmd.silenceId);
      if (s === undefined) continue;
      const ended = { ...s, endsAt: latest(s.startsAt, earliest(s.endsAt, cmd.createdAt)) };
      byId.set(s.id, ended);
      const i = made.findIndex((m) => m.id === s.id);
      if (i >= 0) made[i] = ended;
    }
  }
  const mine = new Set(made.map((m) => m.id));
  return [...made.reverse(), ...synced.filter((s) => !mine.has(s.id)).map((s) => byId.get(s.id) ?? s)];
}

function earliest(a: string, b: string): string {
  return Date.parse(a) <= Date.parse(b) ? a : b;
}

function latest(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
