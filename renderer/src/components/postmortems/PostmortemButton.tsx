import { useState } from 'react';
import { useApi } from '../../api/context';
import { errorMessage } from '../../api/results';
import { PostmortemEditor } from './PostmortemEditor';
import { usePostmortemData } from './usePostmortemData';
import './postmortems.css';

/**
 * "Draft postmortem" on an incident (issue 15): queues a draft (works offline: the timeline comes
 * from the cached incident until the collector rebuilds it from its log), then opens the editor.
 */
export function PostmortemButton({ incidentId }: { incidentId: string }) {
  const api = useApi();
  const { data: pm, reload } = usePostmortemData((a) => a.call('postmortems.forIncident', { incidentId }), incidentId);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const draft = async () => {
    setError(null);
    try {
      await api.call('postmortems.draft', { incidentId });
      setOpen(true);
      reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <div className="pm-bar" data-testid="postmortem-bar">
      {pm ? (
        <button type="button" className="btn" data-testid="postmortem-open" onClick={() => setOpen((o) => !o)}>
          {open ? 'Hide postmortem' : 'Open postmortem'}
        </button>
      ) : (
        <button type="button" className="btn" data-testid="postmortem-draft" onClick={() => void draft()}>
          Draft postmortem
        </button>
      )}
      {error && <span className="notice-failed">{error}</span>}
      {open && pm && <PostmortemEditor postmortem={pm} />}
    </div>
  );
}
