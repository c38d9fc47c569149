import { CopyButton } from '../CopyButton';

/** A command or query with a copy button: at 3am, retyping is where mistakes happen. */
export function CodeBlock({ code, lang }: { code: string; lang: string }) {
  return (
    <div className="rb-code" data-testid="runbook-code">
      <div className="rb-code-head">
        <span className="rb-code-lang">{lang || 'text'}</span>
        <CopyButton text={code} testId="copy-command" ariaLabel="Copy command" />
      </div>
      <pre>
        <code>{code}</code>
      </pre>
    </div>
  );
}
