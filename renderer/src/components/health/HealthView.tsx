import { useEffect, useState, type ReactNode } from 'react';
import { risingPages, RISING_WEEKS_WARNING } from '../../../../shared/health/trend';
import type { CachedHealth } from '../../../../shared/protocol';
import { useApi } from '../../api/context';
import {
  currentWeek,
  formatAsOf,
  formatDay,
  formatHours,
  formatPercent,
  formatSeconds,
  healthUsers,
  personFigures,
  PERSON_PERIODS,
  type PersonPeriod,
} from '../../lib/health';
import { isOnline, useSyncStore } from '../../store/sync';
import { Sparkline } from './Sparkline';
import './health.css';

export interface HealthViewProps {
  /**
   * Action item completion rate (issue 15, postmortems): the postmortem feature renders its own
   * figure here (e.g. `<ActionItemCompletion />`); the section is left out when absent.
   */
  actionItems?: ReactNode;
}

/**
 * On-call health (issue 15): this rotation and the last 12, per person and per week, trend
 * lines, a warning when pages rise three weeks running, on-call and off-hours hours per person
 * (the basis of on-call pay), the fatigue pulse per quarter and availability per service. Reads
 * the cached answer, so it shows offline with the time it is "as of".
 */
export function HealthView({ actionItems }: HealthViewProps) {
  const api = useApi();
  const transportReady = useSyncStore((s) => s.transport.kind === 'ready');
  const online = useSyncStore(isOnline);
  const [cached, setCached] = useState<CachedHealth | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [period, setPeriod] = useState<PersonPeriod>('last-week');

  useEffect(() => {
    if (!transportReady) return;
    let live = true;
    const load = (): void => {
      api.call('health.get', {}).then(
        (c) => {
          if (!live) return;
          setCached(c);
          setLoaded(true);
          setError(null);
        },
        (err: unknown) => {
          if (!live) return;
          setLoaded(true);
          setError(err instanceof Error ? err.message : String(err));
        },
      );
    };
    load();
    const off = api.onPush((push) => {
      if (push.type === 'health-changed') load();
    });
    return () => {
      live = false;
      off();
    };
  }, [api, transportReady]);

  if (!loaded) return <section className="health-view" data-testid="health-view" aria-busy="true" />;
  if (!cached) {
    return (
      <section className="health-view" data-testid="health-view">
        <p className="muted" data-testid="health-empty">
          {error ?? 'No health figures yet: they are fetched from the collector once connected.'}
        </p>
      </section>
    );
  }
  const a = cached.answer;
  const week = currentWeek(a);
  const pagesPerWeek = a.weeks.map((w) => w.pages);
  // Completed weeks only: the current week's pages are still coming.
  const rising = risingPages(a.weeks, a.to);
  const users = healthUsers(a);
  const people = personFigures(a, period);
  return (
    <section className="health-view" aria-label="Health" data-testid="health-view">
      <header className="health-head">
        <h2>On-call health</h2>
        <span className="muted" data-testid="health-as-of">
          as of {formatAsOf(cached.syncedAt)}
          {online ? '' : ' (offline)'} · team time zone {a.timeZone}
        </span>
      </header>
      {rising && (
        <div className="notice notice-conflict" role="alert" data-testid="health-rising">
          Pages per rotation rose {RISING_WEEKS_WARNING} weeks running ({rising.join(' → ')}).
        </div>
      )}
      {week && (
        <div className="health-cards" data-testid="health-this-week">
          <Card label="Pages this rotation" value={String(week.pages)} testId="health-week-pages" />
          <Card label="Off-hours pages" value={String(week.offHoursPages)} />
          <Card label="MTTA" value={formatSeconds(week.mttaSeconds)} testId="health-week-mtta" />
          <Card label="MTTM" value={formatSeconds(week.mttmSeconds)} />
          <Card label="MTTR" value={formatSeconds(week.mttrSeconds)} />
          <Card label="Ack SLA breaches" value={String(week.ackSlaBreaches)} />
          <Card label="Escalations" value={String(week.escalations)} />
        </div>
      )}
      <div className="health-trends">
        <Trend label="Pages per week" values={pagesPerWeek} />
        <Trend label="MTTA per week (s)" values={a.weeks.map((w) => w.mttaSeconds)} />
        <Trend label="Off-hours pages per week" values={a.weeks.map((w) => w.offHoursPages)} />
        <Trend label="Fatigue pulse per quarter" values={a.pulse.map((q) => q.average)} />
      </div>

      <h3>Per week</h3>
      <table className="health-table" data-testid="health-weeks">
        <thead>
          <tr>
            <th>Week from</th>
            <th>Pages</th>
            <th>Off-hours</th>
            <th>MTTA</th>
            <th>MTTM</th>
            <th>MTTR</th>
            <th>SLA breaches</th>
            <th>Escalations</th>
          </tr>
        </thead>
        <tbody>
          {[...a.weeks].reverse().map((w) => (
            <tr key={w.from}>
              <td>{formatDay(w.from, a.timeZone)}</td>
              <td>{w.pages}</td>
              <td>{w.offHoursPages}</td>
              <td>{formatSeconds(w.mttaSeconds)}</td>
              <td>{formatSeconds(w.mttmSeconds)}</td>
              <td>{formatSeconds(w.mttrSeconds)}</td>
              <td>{w.ackSlaBreaches}</td>
              <td>{w.escalations}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>Per person</h3>
      <div className="health-period" role="group" aria-label="Per person span" data-testid="health-people-period">
        {PERSON_PERIODS.map((p) => (
          <button
            key={p.id}
            type="button"
            className="btn"
            aria-pressed={p.id === period}
            data-testid={`health-period-${p.id}`}
            onClick={() => setPeriod(p.id)}
          >
            {p.label}
          </button>
        ))}
        {people?.from !== undefined && <span className="muted"> from {formatDay(people.from, a.timeZone)}</span>}
      </div>
      <table className="health-table" data-testid="health-people">
        <thead>
          <tr>
            <th>Person</th>
            <th>Pages</th>
            <th>Off-hours pages</th>
            <th>MTTA</th>
            <th>On-call hours</th>
            <th>Off-hours on-call hours</th>
            <th>Pages per week</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => {
            const f = people?.byUser[u];
            return (
              <tr key={u} data-testid={`health-person-${u}`}>
                <td>{u}</td>
                <td data-testid={`health-person-${u}-pages`}>{f?.pages ?? 0}</td>
                <td>{f?.offHoursPages ?? 0}</td>
                <td data-testid={`health-person-${u}-mtta`}>{formatSeconds(f?.mttaSeconds)}</td>
                <td>{formatHours(f?.onCallHours ?? 0)}</td>
                <td>{formatHours(f?.offHoursOnCallHours ?? 0)}</td>
                <td>
                  <Sparkline values={a.weeks.map((w) => w.byUser[u]?.pages ?? 0)} label={`${u}: pages per week`} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <h3>Fatigue pulse</h3>
      <table className="health-table" data-testid="health-pulse">
        <thead>
          <tr>
            <th>Quarter</th>
            <th>Answers</th>
            <th>Average (1 fine – 5 exhausted)</th>
            <th>Pages</th>
            <th>Latest comments</th>
          </tr>
        </thead>
        <tbody>
          {a.pulse.map((q) => (
            <tr key={q.quarter}>
              <td>{q.quarter}</td>
              <td>{q.responses}</td>
              <td>{q.average ?? '—'}</td>
              <td>{q.pages}</td>
              <td data-testid={`health-pulse-comments-${q.quarter}`}>
                {q.comments === undefined || q.comments.length === 0 ? (
                  '—'
                ) : (
                  <ul className="health-pulse-comments">
                    {q.comments.map((c) => (
                      <li key={c.shiftEnd}>
                        <span className="muted">
                          {formatDay(c.shiftEnd, a.timeZone)} · {c.score}/5:
                        </span>{' '}
                        {c.comment}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>Availability (SLO accounting)</h3>
      <table className="health-table" data-testid="health-slo">
        <thead>
          <tr>
            <th>Week from</th>
            <th>Service</th>
            <th>Requests</th>
            <th>Availability</th>
            <th>Without provider outages</th>
            <th>Lost to providers</th>
          </tr>
        </thead>
        <tbody>
          {[...a.slo].reverse().flatMap((w) =>
            w.services.map((s) => (
              <tr key={`${w.from}-${s.service}`}>
                <td>{formatDay(w.from, a.timeZone)}</td>
                <td>{s.service}</td>
                <td>{s.requests}</td>
                <td>{formatPercent(s.availability)}</td>
                <td>{formatPercent(s.availabilityExcludingProviders)}</td>
                <td>
                  {s.providerLosses.length === 0
                    ? '—'
                    : s.providerLosses.map((l) => `${l.provider}: ${l.minutes} min, ${l.failed} failed`).join('; ')}
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>

      {actionItems !== undefined && (
        <section className="health-action-items" data-testid="health-action-items">
          <h3>Action item completion</h3>
          {actionItems}
        </section>
      )}
    </section>
  );
}

function Card({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="health-card">
      <span className="health-card-label">{label}</span>
      <span className="health-card-value" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}

function Trend({ label, values }: { label: string; values: readonly (number | null)[] }) {
  return (
    <div className="health-trend">
      <span className="health-card-label">{label}</span>
      <Sparkline values={values} label={label} />
    </div>
  );
}
