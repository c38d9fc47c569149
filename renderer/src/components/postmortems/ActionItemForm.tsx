import { useState, type FormEvent } from 'react';
import { ACTION_ITEM_MAX_TEXT, type ActionItemKind, type Postmortem } from '../../../../shared/protocol';
import { useApi } from '../../api/context';
import { errorMessage } from '../../api/results';
import { useSyncStore } from '../../store/sync';

/** Adds an action item (owner and due date; a runbook follow-up links to the incident's runbook). */
export function ActionItemForm({
  postmortem: pm,
  onError,
}: {
  postmortem: Postmortem;
  onError: (message: string | null) => void;
}) {
  const api = useApi();
  const user = useSyncStore((s) => s.status?.user) ?? '';
  const [kind, setKind] = useState<ActionItemKind>('task');
  const [text, setText] = useState('');
  const [owner, setOwner] = useState(user);
  const [due, setDue] = useState('');
  const prefillFollowUp = async (runbookId: string) => {
    if (!text.trim()) setText(`Update runbook ${runbookId} with what ${pm.incident.id} taught us`);
    const doc = await api.call('runbooks.get', { id: runbookId }).catch(() => null);
    if (doc) setOwner(doc.meta.owner);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.call('postmortems.addActionItem', {
        postmortemId: pm.id,
        kind,
        text,
        owner: owner || user,
        due,
        ...(kind === 'runbook-follow-up' && pm.incident.runbookId ? { runbookId: pm.incident.runbookId } : {}),
      });
      setText('');
      onError(null);
    } catch (err) {
      onError(errorMessage(err));
    }
  };
  return (
    <form className="pm-add" data-testid="action-item-form" onSubmit={(e) => void submit(e)}>
      <select
        className="input"
        aria-label="Kind"
        data-testid="action-item-kind"
        value={kind}
        onChange={(e) => {
          const next = e.target.value as ActionItemKind;
          setKind(next);
          // A runbook follow-up: "update after incidents", owned by the runbook's owner by default.
          if (next === 'runbook-follow-up' && pm.incident.runbookId) void prefillFollowUp(pm.incident.runbookId);
        }}
      >
        <option value="task">Task</option>
        <option value="runbook-follow-up" disabled={!pm.incident.runbookId}>
          Runbook follow-up{pm.incident.runbookId ? ` (${pm.incident.runbookId})` : ''}
        </option>
      </select>
      <input
        className="input"
        aria-label="Action"
        data-testid="action-item-text"
        placeholder="What will be done"
        maxLength={ACTION_ITEM_MAX_TEXT}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <input
        className="input"
        aria-label="Owner"
        data-testid="action-item-owner"
        placeholder="Owner"
        value={owner}
        onChange={(e) => setOwner(e.target.value)}
      />
      <input
        className="input"
        aria-label="Due"
        data-testid="action-item-due"
        type="date"
        value={due}
        onChange={(e) => setDue(e.target.value)}
      />
      <button type="submit" className="btn btn-primary" data-testid="action-item-add" disabled={!text.trim() || !due}>
        Add
      </button>
    </form>
  );
}
