import { useEffect, useState } from 'react';

/** How long "Copied" / "Copy failed" shows before the button reads "Copy" again. */
const COPIED_MS = 1500;

/** A small "Copy" button that puts `text` on the clipboard and says briefly whether it worked. */
export function CopyButton({ text, testId, ariaLabel }: { text: string; testId: string; ariaLabel?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), COPIED_MS);
    return () => clearTimeout(t);
  }, [state]);
  const copy = (): void => {
    navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <button type="button" className="btn btn-small" onClick={copy} data-testid={testId} aria-label={ariaLabel}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  );
}
