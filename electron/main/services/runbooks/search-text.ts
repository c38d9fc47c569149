import type { RunbookDoc } from '../../../../shared/runbooks/schema.js';

/**
 * What the FTS index sees of a runbook: intro, step titles, prose, branch labels and commands,
 * without Markdown punctuation (so snippets read as text) and without the frontmatter.
 */
export function searchText(doc: Pick<RunbookDoc, 'tree' | 'meta'>): string {
  const parts: string[] = [doc.meta.owner];
  const blocks = (bs: RunbookDoc['tree']['intro']): void => {
    for (const b of bs) parts.push(b.kind === 'markdown' ? plain(b.text) : b.code);
  };
  blocks(doc.tree.intro);
  for (const s of doc.tree.steps) {
    parts.push(`${s.id}. ${s.title}`);
    blocks(s.blocks);
    for (const br of s.branches) parts.push(br.note ? `${br.label}: ${br.note}` : br.label);
  }
  return parts.join('\n');
}

function plain(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^#+\s*/gm, '')
    .replace(/[*_`]/g, '')
    .replace(/^\s*[-+]\s+/gm, '');
}
