import type { RotationChange } from '../../../../shared/protocol';
import { isOnline, useSyncStore } from '../../store/sync';
import { shortWhen } from '../../lib/rotation';

function describe(c: RotationChange, now: number, zone: string): string {
  if (c.kind === 'remove-override') return `Remove override ${c.overrideId ?? ''}`.trim();
  const o = c.override;
  if (!o) return 'Override';
  return `${o.user} covers ${o.role} ${shortWhen(Date.parse(o.from), now, zone)} → ${shortWhen(Date.parse(o.to), now, zone)}${o.swapId ? ' (swap)' : ''}`;
}

/** This desktop's rotation edits not applied yet: pending (offline) or refused, with the collector's reason. */
export function RotationChanges({ changes, zone, now }: { changes: RotationChange[]; zone: string; now: number }) {
  const online = useSyncStore(isOnline);
  if (changes.length === 0) return null;
  return (
    <section className="rot-changes" data-testid="rotation-changes">
      <h3 className="rot-editor-title">Your changes not applied</h3>
      <ul>
        {changes.map((c) => {
          const refused = c.state === 'conflict' || c.state === 'failed';
          return (
            <li
              key={c.id}
              className={refused ? 'notice-failed' : 'notice-pending'}
              data-testid="rotation-change"
              data-state={c.state}
            >
              <span>{describe(c, now, zone)}</span>
              <span className="muted">
                {' '}
                ·{' '}
                {refused
                  ? `${c.state === 'conflict' ? 'conflict' : 'refused'}: ${c.detail ?? 'rejected by the collector'}`
                  : online
                    ? 'sending…'
                    : 'queued: applies when back online'}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
