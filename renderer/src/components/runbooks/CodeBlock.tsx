import { useEffect, useState } from 'react';

const COPIED_MS = 1500;

/** A command or query with a copy button: at 3am, retyping is where mistakes happen. */
export function CodeBlock({ code, lang }: { code: string; lang: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), COPIED_MS);
    return () => clearTimeout(t);
  }, [state]);
  const copy = (): void => {
    navigator.clipboard.writeText(code).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <div className="rb-code" data-testid="runbook-code">
      <div className="rb-code-head">
        <span className="rb-code-lang">{lang || 'text'}</span>
        <button type="button" className="btn btn-small" onClick={copy} data-testid="copy-command" aria-label="Copy command">
          {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
        </button>
      </div>
      <pre>
        <code>{code}</code>
      </pre>
    </div>
  );
}
