import { useState } from 'react';
import {
  POSTMORTEM_MAX_SECTION,
  POSTMORTEM_MAX_TITLE,
  POSTMORTEM_SECTIONS,
  SECTION_PROMPTS,
  SECTION_TITLES,
  type Postmortem,
  type PostmortemSection,
} from '../../../../shared/protocol';
import { useApi } from '../../api/context';
import { errorMessage } from '../../api/results';
import { ActionItemForm } from './ActionItemForm';
import { RunbookLink } from './RunbookLink';
import { download } from './usePostmortemData';

/** One text field saved when it loses focus (one `postmortem-edit` command per change). */
function EditField({
  postmortemId,
  field,
  value,
  label,
  multiline,
  onError,
}: {
  postmortemId: string;
  field: 'title' | PostmortemSection;
  value: string;
  label: string;
  multiline: boolean;
  onError: (message: string | null) => void;
}) {
  const api = useApi();
  const [text, setText] = useState(value);
  const save = async () => {
    if (text === value) return;
    try {
      await api.call('postmortems.edit', { postmortemId, field, text });
      onError(null);
    } catch (err) {
      onError(errorMessage(err));
    }
  };
  const common = {
    id: `pm-${postmortemId}-${field}`,
    className: 'input',
    value: text,
    'data-testid': `pm-field-${field}`,
    onChange: (e: { target: { value: string } }) => setText(e.target.value),
    onBlur: () => void save(),
  };
  return (
    <div className="pm-field">
      <label className="section-title" htmlFor={common.id}>
        {label}
      </label>
      {multiline ? (
        <textarea
          {...common}
          rows={3}
          maxLength={POSTMORTEM_MAX_SECTION}
          placeholder={field === 'title' ? '' : SECTION_PROMPTS[field]}
        />
      ) : (
        <input {...common} maxLength={POSTMORTEM_MAX_TITLE} />
      )}
    </div>
  );
}

/** The postmortem: blameless sections, the reconstructed timeline, action items, Markdown export. */
export function PostmortemEditor({ postmortem: pm }: { postmortem: Postmortem }) {
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const exportMd = async () => {
    try {
      const file = await api.call('postmortems.markdown', { id: pm.id });
      download(file.filename, file.markdown, 'text/markdown');
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const toggle = async (itemId: string, done: boolean) => {
    try {
      await api.call('postmortems.updateActionItem', { postmortemId: pm.id, itemId, done });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <section className="pm-editor" data-testid="postmortem-editor" data-postmortem-id={pm.id} aria-label="Postmortem">
      <header className="pm-head">
        <span className="muted">{pm.rev === 0 ? 'Draft (not synced yet)' : `Draft · rev ${pm.rev}`}</span>
        <button type="button" className="btn" data-testid="postmortem-export" onClick={() => void exportMd()}>
          Export Markdown
        </button>
      </header>
      {error && <p className="notice-failed">{error}</p>}
      <EditField
        key={`title-${pm.title}`}
        postmortemId={pm.id}
        field="title"
        value={pm.title}
        label="Title"
        multiline={false}
        onError={setError}
      />
      {POSTMORTEM_SECTIONS.map((s) => (
        <EditField
          key={`${s}-${pm.sections[s]}`}
          postmortemId={pm.id}
          field={s}
          value={pm.sections[s]}
          label={SECTION_TITLES[s]}
          multiline
          onError={setError}
        />
      ))}
      <h3 className="section-title">Timeline (UTC, to the second)</h3>
      <ol className="pm-timeline" data-testid="postmortem-timeline">
        {pm.timeline.map((t) => (
          <li key={t.seq} className={`pm-moment pm-${t.category}`} data-category={t.category}>
            <time dateTime={t.at}>{t.at.slice(11, 19)}</time> {t.text}
          </li>
        ))}
        {pm.timeline.length === 0 && <li className="muted">No events in the log.</li>}
      </ol>
      <h3 className="section-title">Action items</h3>
      <ul className="pm-items" data-testid="postmortem-items">
        {pm.actionItems.map((a) => (
          <li key={a.id} data-testid="postmortem-item" data-done={a.done}>
            <label>
              <input type="checkbox" checked={a.done} onChange={(e) => void toggle(a.id, e.target.checked)} /> {a.text}
            </label>{' '}
            <span className="muted">
              {a.owner} · due {a.due}
            </span>
            {a.runbookId && <RunbookLink runbookId={a.runbookId} />}
          </li>
        ))}
      </ul>
      <ActionItemForm postmortem={pm} onError={setError} />
    </section>
  );
}
