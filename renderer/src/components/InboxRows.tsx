import { memo } from 'react';
import { useHolderText } from './rotation/ShiftLine';
import type { Alert, Incident } from '../../../shared/protocol';
import { isIncidentRinging, useAlarmStore } from '../lib/alarm';
import { alertCountText, alertName, type MemberMark } from '../lib/incidents';
import { formatServiceLine } from '../lib/labels';
import { noticesFor, type CommandTarget } from '../lib/outbox';
import { useOutboxStore } from '../store/outbox';
import { isOnline, useSyncStore } from '../store/sync';
import { MuteBadge, StatusPill, TierBadge } from './Badges';
import { EscalationCountdown } from './Countdown';
import { Ago, Stamp } from './Time';

/** Row heights in px; app.css gives `.row-incident` / `.row-member` / `.row-members-status` exactly these. */
export const ROW_HEIGHT = { incident: 62, member: 46, 'members-status': 34 } as const;

/** The most urgent outbox notice for a row's own target: a conflict beats a pending command. */
function RowNotice({ target }: { target: CommandTarget }) {
  const items = useOutboxStore((s) => s.items);
  const dismissed = useOutboxStore((s) => s.dismissed);
  const online = useSyncStore(isOnline);
  const notices = noticesFor(items, target, online, dismissed);
  const notice = notices.find((n) => n.tone !== 'pending') ?? notices[notices.length - 1];
  if (!notice) return null;
  return (
    <span className={`row-notice notice-${notice.tone}`} data-testid="row-notice">
      {notice.text}
    </span>
  );
}

interface IncidentRowProps {
  incident: Incident;
  expanded: boolean;
  isCursor: boolean;
  isOpen: boolean;
  posinset: number;
  setsize: number;
  onOpen(id: string): void;
  onToggle(id: string): void;
}

function IncidentRowImpl({
  incident,
  expanded,
  isCursor,
  isOpen,
  posinset,
  setsize,
  onOpen,
  onToggle,
}: IncidentRowProps) {
  const ringing = useAlarmStore((s) => isIncidentRinging(s.alarm, incident.id));
  const holder = useHolderText();
  const inhibited = incident.inhibitedAlertIds?.length ?? 0;
  const count = incident.alertIds.length;
  return (
    <div
      id={`incident-row-${incident.id}`}
      role="option"
      aria-selected={isOpen}
      aria-expanded={expanded}
      aria-posinset={posinset}
      aria-setsize={setsize}
      className={`row row-incident tier-edge-${incident.tier} status-row-${incident.status}${isCursor ? ' cursor' : ''}${isOpen ? ' open' : ''}${ringing ? ' is-ringing' : ''}`}
      data-testid="incident-row"
      data-incident-id={incident.id}
      data-status={incident.status}
      data-tier={incident.tier}
      data-ringing={ringing}
      data-alert-count={count}
      onClick={() => onOpen(incident.id)}
    >
      <div className="row-main">
        <button
          type="button"
          className="expander"
          aria-label={expanded ? 'Hide its alerts' : 'Show its alerts'}
          aria-expanded={expanded}
          data-testid="expand-toggle"
          tabIndex={-1}
          onClick={(e) => {
            // The chevron expands in place; the rest of the row opens the incident.
            e.stopPropagation();
            onToggle(incident.id);
          }}
        >
          <span className={`chevron${expanded ? ' down' : ''}`} aria-hidden="true" />
        </button>
        <TierBadge tier={incident.tier} />
        {ringing && <span className="ring-dot" title="Ringing for you" data-testid="row-ringing" />}
        <span className="row-summary" title={incident.title}>
          {incident.title}
        </span>
        <span className="row-count" data-testid="alert-count">
          {alertCountText(count)}
        </span>
        <Ago iso={incident.firedAt} />
      </div>
      <div className="row-meta">
        <StatusPill status={incident.status} />
        {incident.silenced && (
          <span className="mute mute-silenced" data-testid="incident-silenced" title="Every open alert is silenced">
            silenced
          </span>
        )}
        {inhibited > 0 && (
          <span className="mute mute-inhibited" data-testid="incident-inhibited">
            {inhibited} inhibited
          </span>
        )}
        {incident.status === 'acknowledged' && incident.acknowledgedBy && (
          <span className="row-acked" data-testid="acked-by">
            Acknowledged by <strong>{incident.acknowledgedBy}</strong>
          </span>
        )}
        {incident.status === 'snoozed' && incident.snoozedUntil && (
          <span className="row-snoozed">
            until <Stamp iso={incident.snoozedUntil} />
          </span>
        )}
        {incident.escalation && incident.status === 'firing' && (
          <span
            className="row-escalation"
            title={`Escalation level ${incident.escalation.level}, held by ${holder(incident.escalation.target)}`}
          >
            <EscalationCountdown incident={incident} testId="row-countdown" />
          </span>
        )}
        <RowNotice target={{ incidentId: incident.id }} />
      </div>
    </div>
  );
}

/** Memoised: rows re-render on their own tick (Ago) rather than with every store change. */
export const IncidentRow = memo(IncidentRowImpl);

interface MemberRowProps {
  alert: Alert;
  mark: MemberMark | null;
  last: boolean;
  isCursor: boolean;
  isOpen: boolean;
  rowId: string;
  posinset: number;
  setsize: number;
  onOpen(id: string): void;
}

function MemberRowImpl({ alert, mark, last, isCursor, isOpen, rowId, posinset, setsize, onOpen }: MemberRowProps) {
  const service = formatServiceLine(alert.labels);
  return (
    <div
      id={rowId}
      role="option"
      aria-selected={isOpen}
      aria-level={2}
      aria-posinset={posinset}
      aria-setsize={setsize}
      className={`row row-member status-row-${alert.status}${mark ? ` muted-${mark.kind}` : ''}${last ? ' last' : ''}${isCursor ? ' cursor' : ''}${isOpen ? ' open' : ''}`}
      data-testid="member-row"
      data-alert-id={alert.id}
      data-incident-id={alert.incidentId}
      data-status={alert.status}
      data-tier={alert.tier}
      onClick={() => onOpen(alert.id)}
    >
      <div className="row-main">
        <span className="member-name" title={alert.summary}>
          <span className="member-rule">{alertName(alert)}</span>
          <span className="member-summary">{alert.summary}</span>
        </span>
        <Ago iso={alert.firedAt} />
      </div>
      <div className="row-meta">
        <StatusPill status={alert.status} />
        <span className={`tier-word tier-word-${alert.tier}`}>{alert.tier}</span>
        {mark && <MuteBadge mark={mark} />}
        {service && <span className="row-service">{service}</span>}
        <RowNotice target={{ alertId: alert.id }} />
      </div>
    </div>
  );
}

export const MemberRow = memo(MemberRowImpl);

export function MembersStatusRow({ text }: { text: string }) {
  return (
    <div className="row row-members-status" role="option" aria-selected={false} aria-disabled>
      {text}
    </div>
  );
}
