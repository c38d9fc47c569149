import { escalationQueue } from '../lib/countdown';
import { useAlertsStore } from '../store/alerts';
import { useSyncStore } from '../store/sync';
import { DueCountdown } from './Countdown';

/**
 * For the secondary (and anyone watching): every open page heading for escalation, the soonest
 * deadline first, with who holds it now and who is paged next.
 */
export function Escalations({ onOpen }: { onOpen(id: string): void }) {
  const alerts = useAlertsStore((s) => s.alerts);
  const user = useSyncStore((s) => s.status?.user);
  const queue = escalationQueue(alerts);
  return (
    <section className="escalations" aria-label="Escalations" data-testid="escalations">
      <h2 className="section-title">Heading for escalation</h2>
      {queue.length === 0 ? (
        <p className="muted" data-testid="escalations-empty">
          No unacknowledged page is counting down.
        </p>
      ) : (
        <ol className="esc-list">
          {queue.map((a) => {
            const e = a.escalation;
            if (!e) return null;
            return (
              <li
                key={a.id}
                className={`esc-item${e.nextTarget === user ? ' for-me' : ''}`}
                data-testid="escalation-item"
                data-alert-id={a.id}
              >
                <button type="button" className="esc-open" onClick={() => onOpen(a.id)}>
                  <span className="esc-summary">{a.summary}</span>
                  <span className="esc-holder">
                    held by <strong data-testid="escalation-holder">{e.target}</strong> (level {e.level})
                  </span>
                  <span className="esc-next">
                    → <strong>{e.nextTarget}</strong>
                    {e.nextTarget === user ? ' (you)' : ''} in <DueCountdown iso={e.dueAt} />
                  </span>
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
