import type { ReactNode } from 'react';
import type { Alert } from '../../../shared/protocol';
import { labelPairs } from '../lib/labels';
import { useAlertsStore } from '../store/alerts';
import { ActionBar } from './ActionBar';
import { StatusPill, TierBadge } from './Badges';
import { AlertChart } from './charts/AlertChart';
import { CommentBox } from './CommentBox';
import { Notices } from './Notices';
import { Timeline } from './Timeline';
import { AlertRunbook } from './runbooks/AlertRunbook';
import { EscalationCountdown } from './Countdown';
import { Ago, Stamp } from './Time';

const SOURCE_LABEL: Record<Alert['source'], string> = {
  rules: 'Vigil rules',
  alertmanager: 'Alertmanager',
  'events-v2': 'Events API v2',
  evals: 'Eval job',
};

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

function Facts({ alert }: { alert: Alert }) {
  const esc = alert.escalation;
  const escalating = esc && (alert.status === 'firing' || alert.status === 'pending');
  return (
    <dl className="facts">
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
      {esc && (
        <Fact label="Escalation" testId="escalation">
          level {esc.level} · held by <strong data-testid="escalation-target">{esc.target}</strong>
          {escalating && (
            <span className="escalation-due">
              {' '}
              · <EscalationCountdown alert={alert} testId="detail-countdown" />
            </span>
          )}
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

function Placeholder({ children }: { children: ReactNode }) {
  return <div className="detail-placeholder">{children}</div>;
}

export function AlertDetailPane() {
  const openId = useAlertsStore((s) => s.openId);
  const detail = useAlertsStore((s) => s.detail);
  const state = useAlertsStore((s) => s.detailState);
  const error = useAlertsStore((s) => s.detailError);
  const close = useAlertsStore((s) => s.open);

  if (openId === null) {
    return (
      <section className="detail" aria-label="Alert detail">
        <Placeholder>
          Select an alert to see its timeline and actions.
          <span className="hint">
            <kbd>j</kbd> <kbd>k</kbd> to move, <kbd>Enter</kbd> to open
          </span>
        </Placeholder>
      </section>
    );
  }
  if (!detail) {
    return (
      <section
        className="detail"
        aria-label="Alert detail"
        data-testid="alert-detail"
        data-alert-id={openId}
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
          onClick={() => close(null)}
        >
          ×
        </button>
      </header>
      <h2 className="detail-title">{alert.summary}</h2>
      {error && <div className="banner banner-warn">Showing cached detail: {error}</div>}
      <ActionBar alert={alert} />
      <Notices alertId={alert.id} />
      <div className="detail-body">
        <div className="detail-col">
          <h3 className="section-title">Details</h3>
          <Facts alert={alert} />
          <Labels alert={alert} />
          <AlertChart alert={alert} />
        </div>
        <div className="detail-col">
          <h3 className="section-title">Timeline</h3>
          <Timeline entries={timeline} />
          <CommentBox alertId={alert.id} />
        </div>
      </div>
      <AlertRunbook key={alert.id} alertId={alert.id} />
    </section>
  );
}
