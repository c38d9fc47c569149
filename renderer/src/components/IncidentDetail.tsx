import { AlertChart } from './charts/AlertChart';
import type { Alert, Incident } from '../../../shared/protocol';
import { HolderName } from './rotation/ShiftLine';
import { ringingPage, useAlarmStore } from '../lib/alarm';
import { alertCountText, alertName, memberMark, sortMembers } from '../lib/incidents';
import { formatServiceLine } from '../lib/labels';
import { useInboxStore } from '../store/inbox';
import { ActionBar } from './ActionBar';
import { Fact, Placeholder } from './AlertDetail';
import { MuteBadge, StatusPill, TierBadge } from './Badges';
import { CommentBox } from './CommentBox';
import { EscalationCountdown } from './Countdown';
import { Notices } from './Notices';
import { PostmortemButton } from './postmortems/PostmortemButton';
import { Timeline } from './Timeline';
import { Ago, Stamp } from './Time';
import { ProviderCommsNote } from './health/ProviderCommsNote';

function IncidentFacts({ incident }: { incident: Incident }) {
  const esc = incident.escalation;
  const page = useAlarmStore((s) => ringingPage(s.alarm, incident.id));
  return (
    <dl className="facts">
      <Fact label="Opened">
        <Stamp iso={incident.firedAt} />{' '}
        <span className="muted">
          (<Ago iso={incident.firedAt} />)
        </span>
      </Fact>
      {incident.acknowledgedBy && (
        <Fact label="Acknowledged" testId="detail-acked-by">
          by <strong>{incident.acknowledgedBy}</strong>
          {incident.acknowledgedAt && (
            <>
              {' '}
              at <Stamp iso={incident.acknowledgedAt} />
            </>
          )}
        </Fact>
      )}
      {incident.mitigatedAt && (
        <Fact label="Mitigated">
          <Stamp iso={incident.mitigatedAt} />
        </Fact>
      )}
      {incident.resolvedAt && (
        <Fact label="Resolved">
          <Stamp iso={incident.resolvedAt} />
        </Fact>
      )}
      {incident.status === 'snoozed' && incident.snoozedUntil && (
        <Fact label="Snoozed until">
          <Stamp iso={incident.snoozedUntil} />
        </Fact>
      )}
      {esc ? (
        <Fact label="Escalation" testId="escalation">
          level {esc.level} · held by <HolderName target={esc.target} testId="escalation-target" />
          {incident.status === 'firing' && (
            <span className="escalation-due">
              {' '}
              · <EscalationCountdown incident={incident} testId="detail-countdown" />
            </span>
          )}
        </Fact>
      ) : (
        incident.status === 'firing' && (
          <Fact label="Paging">
            <span className="muted">waiting for related alerts before the first page</span>
          </Fact>
        )
      )}
      {page && (
        <Fact label="Alarm" testId="detail-ringing">
          <strong className="ringing-word">ringing for you</strong>
        </Fact>
      )}
      <Fact label="Group">
        <code>{incident.key}</code>
      </Fact>
    </dl>
  );
}

function Members({ alerts }: { alerts: readonly Alert[] }) {
  const openAlert = useInboxStore((s) => s.openAlert);
  if (alerts.length === 0) return <p className="muted">No alerts.</p>;
  return (
    <ul className="members" data-testid="incident-members">
      {sortMembers(alerts).map((a) => {
        const mark = memberMark(a, alerts);
        return (
          <li key={a.id} className={`member status-row-${a.status}`} data-testid="incident-member" data-alert-id={a.id}>
            <button type="button" className="member-open" onClick={() => openAlert(a.id)}>
              <TierBadge tier={a.tier} />
              <span className="member-rule">{alertName(a)}</span>
              <span className="member-summary">{a.summary}</span>
              <StatusPill status={a.status} />
              {mark && <MuteBadge mark={mark} />}
              <span className="row-service">{formatServiceLine(a.labels)}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** An incident: its actions (on all its members), its facts, its members and one merged timeline. */
export function IncidentDetailPane({ id }: { id: string }) {
  const entry = useInboxStore((s) => s.details[id]);
  const listed = useInboxStore((s) => s.incidents.find((i) => i.id === id));
  const close = useInboxStore((s) => s.close);
  const detail = entry?.detail ?? null;
  // The list may be fresher than the detail (pushes refetch it first): prefer it for the header.
  const incident = listed ?? detail?.incident;

  if (!incident) {
    return (
      <section className="detail" aria-label="Incident detail" data-testid="incident-detail" data-incident-id={id}>
        <Placeholder>
          {entry?.state === 'error'
            ? `Could not load this incident: ${entry.error ?? 'unknown error'}`
            : entry?.state === 'missing'
              ? 'This incident is no longer in the cache.'
              : 'Loading…'}
        </Placeholder>
      </section>
    );
  }

  const alerts = detail?.alerts ?? [];
  // The member that fired first is the one that opened the incident: its signal explains the page.
  const explaining = [...alerts].sort((a, b) => Date.parse(a.firedAt) - Date.parse(b.firedAt))[0];
  return (
    <section
      className="detail"
      aria-label="Incident detail"
      data-testid="incident-detail"
      data-incident-id={incident.id}
      data-status={incident.status}
    >
      <header className="detail-head">
        <div className="detail-badges">
          <TierBadge tier={incident.tier} />
          <StatusPill status={incident.status} />
          <span className="row-count">{alertCountText(incident.alertIds.length)}</span>
          {incident.silenced && <span className="mute mute-silenced">silenced</span>}
        </div>
        <button type="button" className="icon-btn" aria-label="Close detail" title="Close (Esc)" onClick={close}>
          ×
        </button>
      </header>
      <h2 className="detail-title">{incident.title}</h2>
      {entry?.state === 'error' && <div className="banner banner-warn">Showing cached detail: {entry.error}</div>}
      <ActionBar subject={{ kind: 'incident', incident }} />
      <Notices target={{ incidentId: incident.id }} />
      <PostmortemButton incidentId={incident.id} />
      <div className="detail-body">
        <div className="detail-col">
          <h3 className="section-title">Details</h3>
          <IncidentFacts incident={incident} />
          <h3 className="section-title">Alerts</h3>
          {detail ? <Members alerts={alerts} /> : <p className="muted">Loading alerts…</p>}
          <ProviderCommsNote alerts={alerts} />
          {explaining && (
            <>
              <h3 className="section-title">Why it paged</h3>
              <AlertChart alert={explaining} incident={incident} />
            </>
          )}
        </div>
        <div className="detail-col">
          <h3 className="section-title">Timeline</h3>
          {detail ? <Timeline entries={detail.timeline} members={alerts} /> : <p className="muted">Loading…</p>}
          <CommentBox target={{ incidentId: incident.id }} />
        </div>
      </div>
    </section>
  );
}
