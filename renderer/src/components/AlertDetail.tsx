import type { ReactNode } from 'react';
import type { Alert, Incident } from '../../../shared/protocol';
import { memberMark } from '../lib/incidents';
import { labelPairs } from '../lib/labels';
import { useInboxStore } from '../store/inbox';
import { useSilencesStore } from '../store/silences';
import { ActionBar } from './ActionBar';
import { MuteBadge, StatusPill, TierBadge } from './Badges';
import { AlertChart } from './charts/AlertChart';
import { CommentBox } from './CommentBox';
import { Notices } from './Notices';
import { Timeline } from './Timeline';
import { AlertRunbook } from './runbooks/AlertRunbook';
import { Ago, Stamp } from './Time';

const SOURCE_LABEL: Record<Alert['source'], string> = {
  rules: 'Vigil rules',
  alertmanager: 'Alertmanager',
  'events-v2': 'Events API v2',
  evals: 'Eval job',
};

export function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

function Facts({ alert, incident }: { alert: Alert; incident: Incident | undefined }) {
  const openIncident = useInboxStore((s) => s.openIncident);
  // The inhibiting alert is a sibling in the same incident: its name reads better than its id.
  const siblings = useInboxStore((s) => (alert.incidentId ? s.details[alert.incidentId]?.detail?.alerts : undefined));
  const mark = memberMark(alert, siblings ?? []);
  return (
    <dl className="facts">
      {alert.incidentId !== undefined && (
        <Fact label="Incident" testId="alert-incident">
          <button
            type="button"
            className="link"
            data-testid="open-incident"
            onClick={() => alert.incidentId !== undefined && openIncident(alert.incidentId)}
          >
            {incident ? incident.title : alert.incidentId}
          </button>
          {incident && <span className="muted"> · paging, escalation and the countdown live there</span>}
        </Fact>
      )}
      {mark && (
        <Fact label="Quiet" testId="alert-quiet">
          <MuteBadge mark={mark} />
        </Fact>
      )}
      <Fact label="Fired">
        <Stamp iso={alert.firedAt} />{' '}
        <span className="muted">
          (<Ago iso={alert.firedAt} />)
        </span>
      </Fact>
      {alert.acknowledgedBy && (
        <Fact label="Acknowledged" testId="detail-acked-by">
          by <strong>{alert.acknowledgedBy}</strong>
          {alert.acknowledgedAt && (
            <>
              {' '}
              at <Stamp iso={alert.acknowledgedAt} />
            </>
          )}
        </Fact>
      )}
      {alert.mitigatedAt && (
        <Fact label="Mitigated">
          <Stamp iso={alert.mitigatedAt} />
        </Fact>
      )}
      {alert.resolvedAt && (
        <Fact label="Resolved">
          <Stamp iso={alert.resolvedAt} />
        </Fact>
      )}
      {alert.status === 'snoozed' && alert.snoozedUntil && (
        <Fact label="Snoozed until">
          <Stamp iso={alert.snoozedUntil} />
        </Fact>
      )}
      <Fact label="Source">
        {SOURCE_LABEL[alert.source]} · <code>{alert.ruleId}</code>
      </Fact>
      <Fact label="Runbook">
        {alert.runbookId ? (
          // The walker below opens it; the id is what people search for.
          <span className="runbook" data-testid="runbook-id">
            {alert.runbookId}
          </span>
        ) : (
          <span className="muted">none linked</span>
        )}
      </Fact>
    </dl>
  );
}

function Labels({ alert }: { alert: Alert }) {
  const pairs = labelPairs(alert.labels);
  if (pairs.length === 0) return null;
  return (
    <ul className="labels" aria-label="Labels">
      {pairs.map(([k, v]) => (
        <li key={k} className="label">
          <span className="label-k">{k}</span>
          <span className="label-v">{v}</span>
        </li>
      ))}
    </ul>
  );
}

export function Placeholder({ children }: { children: ReactNode }) {
  return <div className="detail-placeholder">{children}</div>;
}

export function AlertDetailPane({ id }: { id: string }) {
  const detail = useInboxStore((s) => s.alertDetail);
  const state = useInboxStore((s) => s.alertState);
  const error = useInboxStore((s) => s.alertError);
  const close = useInboxStore((s) => s.close);
  const incidents = useInboxStore((s) => s.incidents);
  const openDialog = useSilencesStore((s) => s.openDialog);

  if (!detail) {
    return (
      <section
        className="detail"
        aria-label="Alert detail"
        data-testid="alert-detail"
        data-alert-id={id}
        data-loading={state === 'loading'}
      >
        <Placeholder>
          {state === 'loading' && 'Loading…'}
          {state === 'missing' && 'This alert is no longer in the cache.'}
          {state === 'error' && `Could not load this alert: ${error ?? 'unknown error'}`}
        </Placeholder>
      </section>
    );
  }

  const { alert, timeline } = detail;
  const incident = incidents.find((i) => i.id === alert.incidentId);
  return (
    <section
      className="detail"
      aria-label="Alert detail"
      data-testid="alert-detail"
      data-alert-id={alert.id}
      data-status={alert.status}
    >
      <header className="detail-head">
        <div className="detail-badges">
          <TierBadge tier={alert.tier} />
          <StatusPill status={alert.status} />
        </div>
        <button
          type="button"
          className="icon-btn"
          aria-label="Close detail"
          title="Close (Esc)"
          onClick={() => close()}
        >
          ×
        </button>
      </header>
      <h2 className="detail-title">{alert.summary}</h2>
      {error && <div className="banner banner-warn">Showing cached detail: {error}</div>}
      <ActionBar subject={{ kind: 'alert', alert }} />
      <div className="detail-tools">
        <button type="button" className="btn" data-testid="silence-like-this" onClick={() => openDialog(alert)}>
          Silence alerts like this…
        </button>
      </div>
      <Notices target={{ alertId: alert.id }} />
      <div className="detail-body">
        <div className="detail-col">
          <h3 className="section-title">Details</h3>
          <Facts alert={alert} incident={incident} />
          <Labels alert={alert} />
          <AlertChart
            alert={alert}
            {...(incident ? { incident } : {})}
            onOpenIncident={(id) => useInboxStore.getState().openIncident(id)}
          />
        </div>
        <div className="detail-col">
          <h3 className="section-title">Timeline</h3>
          <Timeline entries={timeline} />
          <CommentBox target={{ alertId: alert.id }} />
        </div>
      </div>
      <AlertRunbook key={alert.id} alertId={alert.id} />
    </section>
  );
}
