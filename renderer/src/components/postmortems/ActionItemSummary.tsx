import type { ActionItemSummary as Summary } from '../../../../shared/postmortem/action-items';
import { usePostmortemData } from './usePostmortemData';

/** "3 of 5 done (60%) · 1 overdue": the action items view's header and the Health view's completion figure. */
export function ActionItemSummaryLine({ summary }: { summary: Summary }) {
  return (
    <span data-testid="action-items-summary">
      {summary.done} of {summary.total} done
      {summary.completionRate !== null && ` (${Math.round(summary.completionRate * 100)}%)`} ·{' '}
      <strong className={summary.overdue > 0 ? 'pm-overdue' : ''}>{summary.overdue} overdue</strong>
    </span>
  );
}

/** The completion figure on its own, fetched (and refreshed on postmortem changes) for the Health view. */
export function ActionItemCompletion() {
  const { data, error } = usePostmortemData((a) => a.call('actionItems.list', {}), 'all');
  if (!data) return <span className="muted">{error ? `unavailable: ${error}` : 'Loading…'}</span>;
  if (data.summary.total === 0) return <span className="muted">No action items yet.</span>;
  return <ActionItemSummaryLine summary={data.summary} />;
}
