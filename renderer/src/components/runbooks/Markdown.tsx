import { useMemo } from 'react';
import { renderMarkdown } from '../../lib/markdown';

/** Runbook prose. The HTML comes out of the sanitiser in lib/markdown.ts, never straight from a file. */
export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div className="md" dangerouslySetInnerHTML={{ __html: html }} />;
}
