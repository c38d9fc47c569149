import { memo, useEffect, useRef } from 'react';
import type { Alert } from '../../../shared/protocol';
import { formatServiceLine } from '../lib/labels';
import { noticesForAlert } from '../lib/outbox';
import { useOutboxStore } from '../store/outbox';
import { isOnline, useSyncStore } from '../store/sync';
import { StatusPill, TierBadge } from './Badges';
import { EscalationCountdown } from './Countdown';
import { Ago, Stamp } from './Time';

interface Props {
  alert: Alert;
  isCursor: boolean;
  isOpen: boolean;
  onOpen(id: string): void;
}

/** The most urgent outbox notice for the row: a conflict beats a pending command. */
function RowNotice({ alertId }: { alertId: string }) {
  const items = useOutboxStore((s) => s.items);
  const dismissed = useOutboxStore((s) => s.dismissed);
  const online = useSyncStore(isOnline);
  const notices = noticesForAlert(items, alertId, online, dismissed);
  const notice = notices.find((n) => n.tone !== 'pending') ?? notices[notices.length - 1];
  if (!notice) return null;
  return <span className={`row-notice notice-${notice.tone}`}>{notice.text}</span>;
}

function AlertRowImpl({ alert, isCursor, isOpen, onOpen }: Props) {
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (isCursor) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [isCursor]);

  const service = formatServiceLine(alert.labels);
  const escalating = alert.escalation && (alert.status === 'firing' || alert.status === 'pending');
  return (
    <li
      ref={ref}
      id={`alert-row-${alert.id}`}
      role="option"
      aria-selected={isOpen}
      className={`row tier-edge-${alert.tier} status-row-${alert.status}${isCursor ? ' cursor' : ''}${isOpen ? ' open' : ''}`}
      data-testid="alert-row"
      data-alert-id={alert.id}
      data-status={alert.status}
      data-tier={alert.tier}
      onClick={() => onOpen(alert.id)}
    >
      <div className="row-main">
        <TierBadge tier={alert.tier} />
        <span className="row-summary" title={alert.summary}>
          {alert.summary}
        </span>
        <Ago iso={alert.firedAt} />
      </div>
      <div className="row-meta">
        <StatusPill status={alert.status} />
        {service && <span className="row-service">{service}</span>}
        {alert.status === 'acknowledged' && alert.acknowledgedBy && (
          <span className="row-acked" data-testid="acked-by">
            Acknowledged by <strong>{alert.acknowledgedBy}</strong>
            {alert.acknowledgedAt && (
              <>
                {' '}
                at <Stamp iso={alert.acknowledgedAt} />
              </>
            )}
          </span>
        )}
        {alert.status === 'snoozed' && alert.snoozedUntil && (
          <span className="row-snoozed">
            until <Stamp iso={alert.snoozedUntil} />
          </span>
        )}
        {escalating && alert.escalation && (
          <span
            className="row-escalation"
            title={`Escalation level ${alert.escalation.level}, held by ${alert.escalation.target}`}
          >
            <EscalationCountdown alert={alert} testId="row-countdown" />
          </span>
        )}
        <RowNotice alertId={alert.id} />
      </div>
    </li>
  );
}

/** Memoised: rows re-render on their own tick (Ago) rather than with every store change. */
export const AlertRow = memo(AlertRowImpl);
