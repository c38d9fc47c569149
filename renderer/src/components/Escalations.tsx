import { incidentEscalationQueue } from '../lib/incidents';
import { HolderName } from './rotation/ShiftLine';
import { useInboxStore } from '../store/inbox';
import { useSyncStore } from '../store/sync';
import { DueCountdown } from './Countdown';

/**
 * For the secondary (and anyone watching): every open paging incident heading for escalation,
 * the soonest deadline first, with who holds it now and who is paged next.
 */
export function Escalations({ onOpen }: { onOpen(incidentId: string): void }) {
  const incidents = useInboxStore((s) => s.incidents);
  const user = useSyncStore((s) => s.status?.user);
  const queue = incidentEscalationQueue(incidents);
  return (
    <section className="escalations" aria-label="Escalations" data-testid="escalations">
      <h2 className="section-title">Heading for escalation</h2>
      {queue.length === 0 ? (
        <p className="muted" data-testid="escalations-empty">
          No unacknowledged page is counting down.
        </p>
      ) : (
        <ol className="esc-list">
          {queue.map((i) => {
            const e = i.escalation;
            if (!e) return null;
            return (
              <li
                key={i.id}
                className={`esc-item${e.nextTarget === user ? ' for-me' : ''}`}
                data-testid="escalation-item"
                data-incident-id={i.id}
              >
                <button type="button" className="esc-open" onClick={() => onOpen(i.id)}>
                  <span className="esc-summary">{i.title}</span>
                  <span className="esc-holder">
                    held by <HolderName target={e.target} testId="escalation-holder" /> · level {e.level}
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
