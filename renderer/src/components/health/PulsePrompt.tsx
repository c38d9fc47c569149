import { useEffect, useState } from 'react';
import { PULSE_MAX_COMMENT, type PulsePrompt as Prompt } from '../../../../shared/protocol';
import { useApi } from '../../api/context';
import { useSyncStore } from '../../store/sync';

const SCORES = [1, 2, 3, 4, 5] as const;
/** The prompt looks again this often (a shift ends while the app is open). */
const RECHECK_MS = 60_000;

/**
 * The fatigue pulse (issue 15): after this user's shift ends, one question, 1 (fine) to 5
 * (exhausted), an optional comment, or skip. The answer goes through the outbox, so it works
 * offline; each shift is asked about once on this desktop.
 */
export function PulsePrompt() {
  const api = useApi();
  const transportReady = useSyncStore((s) => s.transport.kind === 'ready');
  const [prompt, setPrompt] = useState<Prompt | null>(null);
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!transportReady) return;
    let live = true;
    const load = (): void => {
      api.call('health.pulsePrompt', {}).then(
        (p) => live && setPrompt(p),
        () => live && setPrompt(null),
      );
    };
    load();
    const timer = setInterval(load, RECHECK_MS);
    const off = api.onPush((push) => {
      if (push.type === 'rotation-changed') load();
    });
    return () => {
      live = false;
      clearInterval(timer);
      off();
    };
  }, [api, transportReady]);

  if (!prompt) return null;
  const done = (): void => {
    setPrompt(null);
    setScore(null);
    setComment('');
    setError(null);
  };
  const send = (): void => {
    if (score === null) return;
    const text = comment.trim();
    api
      .call('health.pulse', { shiftEnd: prompt.shiftEnd, score, ...(text ? { comment: text } : {}) })
      .then(done, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };
  const skip = (): void => {
    api.call('health.skipPulse', { shiftEnd: prompt.shiftEnd }).then(done, done);
  };
  return (
    <div className="pulse-prompt" role="region" aria-label="Fatigue pulse" data-testid="pulse-prompt">
      <span>Your {prompt.role} shift ended. How tiring was it?</span>
      <span role="radiogroup" aria-label="1 fine, 5 exhausted">
        {SCORES.map((s) => (
          <button
            key={s}
            type="button"
            role="radio"
            aria-checked={score === s}
            className={`btn btn-small${score === s ? ' btn-primary' : ''}`}
            data-testid={`pulse-score-${s}`}
            onClick={() => setScore(s)}
          >
            {s}
          </button>
        ))}
      </span>
      <input
        type="text"
        placeholder="Comment (optional)"
        maxLength={PULSE_MAX_COMMENT}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        aria-label="Pulse comment"
      />
      <button type="button" className="btn btn-small" disabled={score === null} onClick={send} data-testid="pulse-send">
        Send
      </button>
      <button type="button" className="link" onClick={skip} data-testid="pulse-skip">
        Skip
      </button>
      {error && <span role="alert">{error}</span>}
    </div>
  );
}
