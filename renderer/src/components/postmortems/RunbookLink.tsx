import { useEffect, useState } from 'react';
import type { RunbookDoc } from '../../../../shared/runbooks/schema';
import { useApi } from '../../api/context';
import { Markdown } from '../runbooks/Markdown';

/**
 * A runbook follow-up's link: the runbook (from the cache, works offline) with its owner and when
 * it was last reviewed, opened in place, so the person updating it after the incident has it at hand.
 */
export function RunbookLink({ runbookId }: { runbookId: string }) {
  const api = useApi();
  const [doc, setDoc] = useState<RunbookDoc | null>(null);
  useEffect(() => {
    let live = true;
    api
      .call('runbooks.get', { id: runbookId })
      .then((d) => live && setDoc(d))
      .catch(() => live && setDoc(null));
    return () => {
      live = false;
    };
  }, [api, runbookId]);
  return (
    <details className="pm-runbook" data-testid="runbook-link" data-runbook-id={runbookId}>
      <summary>
        runbook follow-up: <code>{runbookId}</code>
        {doc && (
          <span className="muted">
            {' '}
            · {doc.meta.title} · owner {doc.meta.owner} · last reviewed {doc.meta.last_reviewed}
          </span>
        )}
      </summary>
      {doc ? <Markdown text={doc.markdown} /> : <p className="muted">This runbook is not in the cache.</p>}
    </details>
  );
}
