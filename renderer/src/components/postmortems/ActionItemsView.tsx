import { useState } from 'react';
import { useApi } from '../../api/context';
import { errorMessage } from '../../api/results';
import { ActionItemSummaryLine } from './ActionItemSummary';
import { RunbookLink } from './RunbookLink';
import { usePostmortemData } from './usePostmortemData';
import './postmortems.css';

/** Action items across every postmortem (issue 15): open first, overdue ones flagged, completion rate on top. */
export function ActionItemsView() {
  const api = useApi();
  const { data, error } = usePostmortemData((a) => a.call('actionItems.list', {}), 'all');
  const [failed, setFailed] = useState<string | null>(null);
  if (!data) {
    return <section className="pm-view muted">{error ? `Action items unavailable: ${error}` : 'Loading…'}</section>;
  }
  const { items, summary } = data;
  const toggle = async (postmortemId: string, itemId: string, done: boolean) => {
    try {
      await api.call('postmortems.updateActionItem', { postmortemId, itemId, done });
      setFailed(null);
    } catch (err) {
      setFailed(errorMessage(err));
    }
  };
  return (
    <section className="pm-view" data-testid="action-items-view" aria-label="Action items">
      <header className="pm-head">
        <h2 className="section-title">Action items</h2>
        <ActionItemSummaryLine summary={summary} />
      </header>
      {failed && <p className="notice-failed">{failed}</p>}
      {items.length === 0 ? (
        <p className="muted">No action items yet. Add them from an incident&apos;s postmortem.</p>
      ) : (
        <table className="pm-table">
          <thead>
            <tr>
              <th>Done</th>
              <th>Action</th>
              <th>Owner</th>
              <th>Due</th>
              <th>Postmortem</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr
                key={i.id}
                data-testid="action-item-row"
                data-overdue={i.overdue}
                className={i.overdue ? 'pm-row-overdue' : i.done ? 'pm-row-done' : ''}
              >
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Done: ${i.text}`}
                    checked={i.done}
                    onChange={(e) => void toggle(i.postmortemId, i.id, e.target.checked)}
                  />
                </td>
                <td>
                  {i.text}
                  {i.runbookId && <RunbookLink runbookId={i.runbookId} />}
                  {i.pending && <span className="muted"> · pending</span>}
                </td>
                <td>{i.owner}</td>
                <td>
                  {i.due}
                  {i.overdue && <strong className="pm-overdue"> overdue</strong>}
                </td>
                <td>
                  {i.postmortemTitle} <span className="muted">({i.incidentId})</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
