import { useApi } from '../api/context';
import { HolderName } from './rotation/ShiftLine';
import { useAlarmStore } from '../lib/alarm';
import { inFlightKinds } from '../lib/outbox';
import { sendIncidentCommand } from '../store/commands';
import { useInboxStore } from '../store/inbox';
import { useOutboxStore } from '../store/outbox';
import { DueCountdown } from './Countdown';

/**
 * One line per incident ringing for this user (the Alarm is per incident): what it is, how many
 * alerts it holds, when it escalates, and the one button that stops it.
 */
export function RingingBanner({ onShow }: { onShow(incidentId: string): void }) {
  const api = useApi();
  const ringing = useAlarmStore((s) => s.alarm?.ringing);
  const items = useOutboxStore((s) => s.items);
  const openIncident = useInboxStore((s) => s.openIncident);
  if (!ringing || ringing.length === 0) return null;
  return (
    <div className="ringing" role="alert" data-testid="ringing-banner">
      {ringing.map((p) => {
        const acking = inFlightKinds(items, { incidentId: p.incidentId }).has('ack');
        return (
          <div
            key={p.incidentId}
            className="ringing-item"
            data-testid="ringing-incident"
            data-incident-id={p.incidentId}
          >
            <span className="alarm-dot" aria-hidden="true" />
            <button
              type="button"
              className="ringing-summary link"
              onClick={() => {
                openIncident(p.incidentId);
                onShow(p.incidentId);
              }}
            >
              {p.summary}
            </button>
            <span className="ringing-meta">
              level {p.level} · held by <HolderName target={p.target} />
              {p.dueAt && p.nextTarget && (
                <>
                  {' '}
                  · escalates to <strong>{p.nextTarget}</strong> in <DueCountdown iso={p.dueAt} />
                </>
              )}
            </span>
            <button
              type="button"
              className="btn btn-primary"
              disabled={acking}
              data-testid="ringing-ack"
              onClick={() => void sendIncidentCommand(api, { kind: 'ack', incidentId: p.incidentId })}
            >
              {acking ? 'Acknowledging…' : 'Acknowledge'}
            </button>
          </div>
        );
      })}
    </div>
  );
}
