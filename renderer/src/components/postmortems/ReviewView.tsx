import { useState } from 'react';
import { REVIEW_CATEGORY_TITLES, ReviewCategory, type ReviewItem } from '../../../../shared/protocol';
import { useApi } from '../../api/context';
import { errorMessage } from '../../api/results';
import { usePostmortemData } from './usePostmortemData';
import './postmortems.css';

function ReviewRow({ week, item, onError }: { week: string; item: ReviewItem; onError: (m: string | null) => void }) {
  const api = useApi();
  const [note, setNote] = useState(item.note ?? '');
  const mark = async (reviewed: boolean) => {
    try {
      await api.call('review.mark', { week, itemKey: item.key, reviewed, ...(note.trim() ? { note } : {}) });
      onError(null);
    } catch (err) {
      onError(errorMessage(err));
    }
  };
  return (
    <li className="pm-review-item" data-testid="review-item" data-reviewed={item.reviewed} data-key={item.key}>
      <label>
        <input
          type="checkbox"
          data-testid="review-check"
          checked={item.reviewed}
          onChange={(e) => void mark(e.target.checked)}
        />{' '}
        {item.title}
      </label>{' '}
      <span className="muted">
        {item.status} · {item.firedAt.slice(0, 10)}
        {item.reviewed && item.by && ` · reviewed by ${item.by}`}
        {item.pending && ' · pending'}
      </span>
      <input
        className="input pm-note"
        aria-label="Review note"
        data-testid="review-note"
        placeholder="Note"
        value={note}
        onChange={(e) => setNote(e.target.value)}
        onBlur={() => {
          if (note !== (item.note ?? '')) void mark(item.reviewed);
        }}
      />
    </li>
  );
}

/**
 * The weekly review (issue 15): the week's tier-3 findings and tickets as a checklist, each
 * markable reviewed with a note; weeks in the team's time zone, last week one click away.
 */
export function ReviewView() {
  const [week, setWeek] = useState<string | undefined>(undefined);
  const [failed, setFailed] = useState<string | null>(null);
  const { data, error } = usePostmortemData((a) => a.call('review.get', week ? { week } : {}), week ?? 'current');
  if (!data) return <section className="pm-view muted">{error ? `Review unavailable: ${error}` : 'Loading…'}</section>;
  const groups = new Map<ReviewItem['category'], ReviewItem[]>();
  for (const i of data.items) groups.set(i.category, [...(groups.get(i.category) ?? []), i]);
  const done = data.items.filter((i) => i.reviewed).length;
  return (
    <section className="pm-view" data-testid="review-view" aria-label="Weekly review">
      <header className="pm-head">
        <h2 className="section-title" data-testid="review-week">
          Week of {data.week}
        </h2>
        <span className="muted">
          {data.timeZone} · {done} of {data.items.length} reviewed
        </span>
        <div className="tabs" role="tablist">
          {data.weeks.map((w, i) => (
            <button
              key={w}
              type="button"
              role="tab"
              className="tab"
              aria-selected={w === data.week}
              data-testid={`review-week-${i}`}
              onClick={() => setWeek(w)}
            >
              {i === 0 ? 'This week' : i === 1 ? 'Last week' : w}
            </button>
          ))}
        </div>
      </header>
      {failed && <p className="notice-failed">{failed}</p>}
      {data.items.length === 0 && <p className="muted">Nothing to review this week.</p>}
      {/* Every weekly topic is on the agenda, found or not ("other findings" only when there are some). */}
      {ReviewCategory.options
        .filter((category) => category !== 'review' || groups.has(category))
        .map((category) => (
          <div key={category} className="pm-review-group" data-testid={`review-group-${category}`}>
            <h3 className="section-title">{REVIEW_CATEGORY_TITLES[category]}</h3>
            <ul>
              {(groups.get(category) ?? []).map((i) => (
                <ReviewRow key={`${i.key}-${i.note ?? ''}`} week={data.week} item={i} onError={setFailed} />
              ))}
              {!groups.has(category) && <li className="muted">None this week.</li>}
            </ul>
          </div>
        ))}
    </section>
  );
}
