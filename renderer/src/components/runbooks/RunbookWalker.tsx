import { useEffect, useState } from 'react';
import type { RunbookDoc } from '../../../../shared/runbooks/schema';
import { useApi } from '../../api/context';
import { errorMessage } from '../../api/results';
import { backTo, choose, currentStep, startWalk, targetText, type Walk } from '../../lib/runbook';
import { StepBlocks } from './StepBlocks';
import './runbooks.css';

type Recording = { state: 'idle' } | { state: 'saving' } | { state: 'saved'; note: string } | { state: 'failed'; message: string };

/**
 * The decision tree as a walker: one step at a time, a button per branch, the path as a
 * breadcrumb (click to go back). With an alert, reaching "stop" or "escalate" records the path
 * on the alert's timeline, through the outbox, so it survives being offline.
 */
export function RunbookWalker({ doc, alertId }: { doc: RunbookDoc; alertId?: string }) {
  const api = useApi();
  const [walk, setWalk] = useState<Walk>(() => startWalk(doc));
  const [recording, setRecording] = useState<Recording>({ state: 'idle' });
  // A new runbook (or a new version of it) starts over.
  useEffect(() => {
    setWalk(startWalk(doc));
    setRecording({ state: 'idle' });
  }, [doc.id, doc.version, doc]);

  const record = (w: Walk): void => {
    if (!alertId) return;
    setRecording({ state: 'saving' });
    api
      .call('runbooks.recordStep', {
        alertId,
        runbookId: doc.id,
        path: w.path,
        ...(w.outcome ? { outcome: w.outcome } : {}),
      })
      .then(
        (r) => setRecording({ state: 'saved', note: r.note }),
        (err: unknown) => setRecording({ state: 'failed', message: errorMessage(err) }),
      );
  };

  const step = currentStep(doc, walk);
  return (
    <div className="rb-walker" data-testid="runbook-walker" data-runbook-id={doc.id}>
      <header className="rb-head">
        <h3 className="rb-title" data-testid="runbook-title">
          {doc.title}
        </h3>
        <span className="muted rb-meta">
          {doc.meta.tier} · owner {doc.meta.owner} · reviewed {doc.meta.last_reviewed}
        </span>
      </header>
      <ol className="rb-crumbs" aria-label="Path taken" data-testid="runbook-path">
        {walk.path.map((id, i) => (
          <li key={`${i}-${id}`}>
            <button type="button" className="rb-crumb" aria-current={i === walk.path.length - 1 ? 'step' : undefined} onClick={() => setWalk(backTo(walk, i))}>
              {id}
            </button>
          </li>
        ))}
        {walk.outcome && <li className={`rb-outcome rb-${walk.outcome}`}>{walk.outcome}</li>}
      </ol>
      {walk.path.length === 1 && !walk.outcome && doc.tree.intro.length > 0 && (
        <div className="rb-intro">
          <StepBlocks blocks={doc.tree.intro} />
        </div>
      )}
      {step && !walk.outcome && (
        <section className="rb-step" data-testid="runbook-step" data-step={step.id}>
          <h4 className="rb-step-title">
            <span className="rb-step-no">{step.id}</span> {step.title}
          </h4>
          <StepBlocks blocks={step.blocks} />
          <div className="rb-branches" role="group" aria-label="What did you find?">
            {step.branches.map((b, i) => (
              <button
                key={i}
                type="button"
                className={`btn rb-branch rb-to-${b.target.kind}`}
                data-testid="runbook-branch"
                onClick={() => {
                  const next = choose(walk, b);
                  setWalk(next);
                  if (next.outcome) record(next);
                }}
              >
                <span className="rb-branch-label">{b.label}</span>
                <span className="rb-branch-target">→ {targetText(b)}</span>
                {b.note && <span className="rb-branch-note">{b.note}</span>}
              </button>
            ))}
          </div>
        </section>
      )}
      {walk.outcome && (
        <section className={`rb-done rb-${walk.outcome}`} data-testid="runbook-done" data-outcome={walk.outcome}>
          <p>
            {walk.outcome === 'stop' ? 'Done: ' : 'Escalate now: '}
            <strong>{walk.endedWith}</strong>
          </p>
          {walk.outcome === 'escalate' && (
            <ul className="rb-contacts">
              {doc.meta.escalation.map((c, i) => (
                <li key={i}>
                  <strong>{c.role}</strong>: {c.contact}
                  {c.when && <span className="muted"> (when {c.when})</span>}
                </li>
              ))}
            </ul>
          )}
          {alertId && (
            <p className="rb-recorded" data-testid="runbook-recorded" data-state={recording.state}>
              {recording.state === 'saving' && 'Recording the path on the timeline…'}
              {recording.state === 'saved' && `Recorded on the timeline: ${recording.note}`}
              {recording.state === 'failed' && `Could not record the path: ${recording.message}`}
            </p>
          )}
          <button type="button" className="btn btn-small" onClick={() => setWalk(startWalk(doc))}>
            Start over
          </button>
        </section>
      )}
    </div>
  );
}
