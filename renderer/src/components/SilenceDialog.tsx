import { useEffect, useRef, useState, type FormEvent } from 'react';
import { MatcherOp, type Alert } from '../../../shared/protocol';
import { useApi } from '../api/context';
import {
  buildSilenceRequest,
  countMatching,
  DEFAULT_SILENCE_MS,
  prefillMatchers,
  UNIT_MS,
  type DurationUnit,
  type MatcherDraft,
} from '../lib/silences';
import { serverNow } from '../store/clock';
import { createSilence, SILENCES_KEY } from '../store/commands';
import { useInboxStore } from '../store/inbox';
import { useOutboxStore } from '../store/outbox';
import { useSilencesStore } from '../store/silences';

const UNITS: ReadonlyArray<[DurationUnit, string]> = [
  ['m', 'minutes'],
  ['h', 'hours'],
  ['d', 'days'],
];

/** "Silence alerts like this…": prefilled from the alert, editable, sent through the outbox. */
export function SilenceDialog({ alert }: { alert: Alert }) {
  const api = useApi();
  const close = () => useSilencesStore.getState().openDialog(null);
  const [matchers, setMatchers] = useState<MatcherDraft[]>(() => prefillMatchers(alert));
  const [amount, setAmount] = useState(DEFAULT_SILENCE_MS / UNIT_MS.h);
  const [unit, setUnit] = useState<DurationUnit>('h');
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const [sending, setSending] = useState(false);
  const sendError = useOutboxStore((s) => (s.sendError?.key === SILENCES_KEY ? s.sendError.text : null));
  // A preview against what the page holds: the alert's incident's members.
  const siblings = useInboxStore((s) => (alert.incidentId ? s.details[alert.incidentId]?.detail?.alerts : undefined));
  const matching = countMatching(matchers, siblings ?? [alert]);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => {
    first.current?.focus();
    // Capture phase: Esc closes the dialog, not the detail pane behind it.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      useSilencesStore.getState().openDialog(null);
    };
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, []);

  const update = (i: number, patch: Partial<MatcherDraft>) =>
    setMatchers((ms) => ms.map((m, n) => (n === i ? { ...m, ...patch } : m)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (sending) return;
    const built = buildSilenceRequest({ matchers, amount, unit, comment }, serverNow());
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    setErrors([]);
    setSending(true);
    const ok = await createSilence(api, built.request);
    setSending(false);
    if (ok) close();
  };

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <form
        className="modal silence-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="silence-title"
        data-testid="silence-dialog"
        onSubmit={(e) => void submit(e)}
      >
        <h2 id="silence-title" className="modal-title">
          Silence alerts like this
        </h2>
        <p className="muted">
          Matching alerts are still recorded and shown, as silenced; they never notify. Prefilled from{' '}
          <strong>{alert.summary}</strong>.
        </p>
        <fieldset className="matchers">
          <legend className="section-title">Matchers (all must hold)</legend>
          {matchers.map((m, i) => (
            <div key={i} className="matcher-row" data-testid="matcher-row">
              <input
                ref={i === 0 ? first : undefined}
                aria-label={`Matcher ${i + 1} label`}
                className="input matcher-name"
                value={m.name}
                onChange={(e) => update(i, { name: e.target.value })}
              />
              <select
                aria-label={`Matcher ${i + 1} operator`}
                className="input matcher-op"
                value={m.op}
                onChange={(e) => update(i, { op: MatcherOp.parse(e.target.value) })}
              >
                {MatcherOp.options.map((op) => (
                  <option key={op} value={op}>
                    {op}
                  </option>
                ))}
              </select>
              <input
                aria-label={`Matcher ${i + 1} value`}
                className="input matcher-value"
                value={m.value}
                onChange={(e) => update(i, { value: e.target.value })}
              />
              <button
                type="button"
                className="icon-btn"
                aria-label={`Remove matcher ${i + 1}`}
                data-testid="remove-matcher"
                onClick={() => setMatchers((ms) => ms.filter((_, n) => n !== i))}
              >
                ×
              </button>
            </div>
          ))}
          <button
            type="button"
            className="link"
            onClick={() => setMatchers((ms) => [...ms, { name: '', op: '=', value: '' }])}
          >
            Add matcher
          </button>
          {matching !== null && (
            <p className="hint" data-testid="silence-preview">
              Matches {matching} of the {siblings ? siblings.length : 1} alert{(siblings?.length ?? 1) === 1 ? '' : 's'}{' '}
              in this incident.
            </p>
          )}
        </fieldset>
        <div className="duration-row">
          <label className="section-title" htmlFor="silence-amount">
            For
          </label>
          <input
            id="silence-amount"
            className="input duration-amount"
            type="number"
            min={1}
            step={1}
            value={amount}
            data-testid="silence-amount"
            onChange={(e) => setAmount(e.target.valueAsNumber)}
          />
          <select
            aria-label="Duration unit"
            className="input"
            value={unit}
            data-testid="silence-unit"
            onChange={(e) => setUnit(e.target.value as DurationUnit)}
          >
            {UNITS.map(([u, label]) => (
              <option key={u} value={u}>
                {label}
              </option>
            ))}
          </select>
          <span className="hint">at most 7 days</span>
        </div>
        <label className="section-title" htmlFor="silence-comment">
          Comment
        </label>
        <textarea
          id="silence-comment"
          className="input"
          rows={2}
          maxLength={2000}
          placeholder="Why, and until what (a ticket, a deploy)?"
          value={comment}
          data-testid="silence-comment"
          onChange={(e) => setComment(e.target.value)}
        />
        {(errors.length > 0 || sendError) && (
          <ul className="form-errors" role="alert" data-testid="silence-errors">
            {errors.map((e) => (
              <li key={e}>{e}</li>
            ))}
            {sendError && <li>{sendError}</li>}
          </ul>
        )}
        <div className="modal-foot">
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={sending} data-testid="silence-submit">
            Create silence
          </button>
        </div>
      </form>
    </div>
  );
}

/** Mounted once at the app's root; shows the dialog while one is open. */
export function SilenceDialogHost() {
  const alert = useSilencesStore((s) => s.dialogFor);
  return alert ? <SilenceDialog key={alert.id} alert={alert} /> : null;
}
