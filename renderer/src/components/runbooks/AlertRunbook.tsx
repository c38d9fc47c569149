import { useEffect, useState } from 'react';
import type { RunbookDoc } from '../../../../shared/runbooks/schema';
import { useApi } from '../../api/context';
import { errorMessage } from '../../api/results';
import { RunbookWalker } from './RunbookWalker';

type Load = { state: 'loading' } | { state: 'ready'; doc: RunbookDoc | null } | { state: 'error'; message: string };

/** The alert's runbook, opened directly in the alert detail (from the cache: works offline). */
export function AlertRunbook({ alertId }: { alertId: string }) {
  const api = useApi();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    const fetchDoc = (): void => {
      api.call('runbooks.forAlert', { alertId }).then(
        (doc) => live && setLoad({ state: 'ready', doc }),
        (err: unknown) => live && setLoad({ state: 'error', message: errorMessage(err) }),
      );
    };
    setLoad({ state: 'loading' });
    fetchDoc();
    const off = api.onPush((push) => {
      if (push.type === 'runbooks-changed') fetchDoc();
    });
    return () => {
      live = false;
      off();
    };
  }, [api, alertId]);

  return (
    <section className="rb-alert" aria-label="Runbook" data-testid="alert-runbook">
      <h3 className="section-title">Runbook</h3>
      {load.state === 'loading' && <p className="muted">Loading runbook…</p>}
      {load.state === 'error' && <p className="banner banner-warn">Could not load the runbook: {load.message}</p>}
      {load.state === 'ready' && !load.doc && (
        <p className="muted" data-testid="runbook-none">
          No runbook serves this alert yet. Search the Runbooks view, and add one for its rule.
        </p>
      )}
      {load.state === 'ready' && load.doc && <RunbookWalker doc={load.doc} alertId={alertId} />}
    </section>
  );
}
