import { parse as parseYaml, YAMLParseError } from 'yaml';
import {
  RunbookFrontmatter,
  type Branch,
  type BranchTarget,
  type RunbookProblem,
  type RunbookStep,
  type RunbookTree,
  type StepBlock,
} from './schema.js';

/**
 * Runbook Markdown → frontmatter + decision tree, line by line so every problem names its
 * line. Pure: the caller reads the file. The syntax is documented in runbooks/README.md.
 */

export interface ParsedBranch extends Branch {
  line: number;
}
export interface ParsedStep extends Omit<RunbookStep, 'branches'> {
  line: number;
  branches: ParsedBranch[];
}
export interface ParsedRunbook {
  file: string;
  meta: RunbookFrontmatter | null;
  intro: StepBlock[];
  steps: ParsedStep[];
  /** Syntax and frontmatter problems; graph problems come from checkRunbook. */
  problems: RunbookProblem[];
}

const STEP_HEADING = /^##\s+(\d+)\.\s+(\S.*)$/;
const H2 = /^##\s/;
const FENCE = /^\s*(`{3,}|~{3,})\s*([\w+-]*)/;
const LIST_ITEM = /^\s*[-*+]\s+(.*)$/;
const ARROW = /\s*(?:→|->)\s*/;
const TARGET = /^(?:step\s+(\d+)|(stop)|(escalate))(?![\w])\s*(?:[:—–-]\s*(.*))?$/i;
/** A shell prompt, or a command people paste, written as prose: it must sit in a fence to get a copy button. */
const BARE_COMMAND = /^\s*(?:\$\s|(?:kubectl|curl|sqlite3|psql|helm|aws|gcloud|docker|jq|grep|journalctl)\s)/;
const LINK = /(!?)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?[^)]*\)/g;
const SAFE_LINK = /^(?:https?:\/\/|mailto:|#)/i;
const RAW_HTML = /<\/?[a-z][\w-]*(?:\s[^>]*)?>/i;

export function targetOf(text: string): { target: BranchTarget; note?: string } | null {
  const m = TARGET.exec(text.trim());
  if (!m) return null;
  const note = m[4]?.trim() || undefined;
  const target: BranchTarget = m[1] !== undefined ? { kind: 'step', step: m[1] } : m[2] ? { kind: 'stop' } : { kind: 'escalate' };
  return note ? { target, note } : { target };
}

function splitFrontmatter(lines: string[]): { yaml: string[]; bodyStart: number } | null {
  if (lines[0]?.trim() !== '---') return null;
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end < 0) return null;
  return { yaml: lines.slice(1, end), bodyStart: end + 1 };
}

function parseFrontmatter(file: string, yamlLines: string[], problems: RunbookProblem[]): RunbookFrontmatter | null {
  let raw: unknown;
  try {
    raw = parseYaml(yamlLines.join('\n'));
  } catch (err) {
    const line = err instanceof YAMLParseError ? (err.linePos?.[0].line ?? 0) + 1 : 1;
    problems.push({ file, line, message: `frontmatter is not valid YAML: ${(err as Error).message.split('\n')[0]}` });
    return null;
  }
  const r = RunbookFrontmatter.safeParse(raw);
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    const key = String(issue.path[0] ?? '');
    const at = key ? yamlLines.findIndex((l) => l.startsWith(`${key}:`)) : -1;
    const field = issue.path.map(String).join('.') || '(frontmatter)';
    problems.push({ file, line: at >= 0 ? at + 2 : 1, message: `frontmatter ${field}: ${issue.message.replace(/^Invalid input: /, '')}` });
  }
  return null;
}

/** Collects a step's (or the intro's) body: prose runs and fenced code, in order. */
class BlockBuilder {
  readonly blocks: StepBlock[] = [];
  private prose: string[] = [];

  text(line: string): void {
    this.prose.push(line);
  }

  code(lang: string, code: string): void {
    this.flush();
    this.blocks.push({ kind: 'code', lang, code });
  }

  flush(): StepBlock[] {
    const text = this.prose.join('\n').trim();
    if (text) this.blocks.push({ kind: 'markdown', text });
    this.prose = [];
    return this.blocks;
  }
}

export function parseRunbook(file: string, text: string): ParsedRunbook {
  const problems: RunbookProblem[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const fm = splitFrontmatter(lines);
  let meta: RunbookFrontmatter | null = null;
  if (!fm) problems.push({ file, line: 1, message: 'missing frontmatter: the file must start with a --- YAML block ---' });
  else meta = parseFrontmatter(file, fm.yaml, problems);

  const intro = new BlockBuilder();
  const steps: ParsedStep[] = [];
  let body = intro;
  let current: ParsedStep | null = null;
  let fence: { marker: string; lang: string; line: number; code: string[] } | null = null;

  for (let i = fm?.bodyStart ?? 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const lineNo = i + 1;
    if (fence) {
      if (line.trim().startsWith(fence.marker) && line.trim().replace(/[`~]/g, '') === '') {
        body.code(fence.lang, fence.code.join('\n'));
        fence = null;
      } else fence.code.push(line);
      continue;
    }
    const open = FENCE.exec(line);
    if (open) {
      fence = { marker: open[1] ?? '```', lang: open[2] ?? '', line: lineNo, code: [] };
      continue;
    }
    const heading = STEP_HEADING.exec(line);
    if (heading) {
      body.flush();
      const id = heading[1] ?? '';
      const expected = String(steps.length + 1);
      if (id !== expected) {
        problems.push({ file, line: lineNo, message: `step ${id} is out of order: steps are numbered 1, 2, 3… and this should be step ${expected}` });
      }
      current = { id, title: (heading[2] ?? '').trim(), blocks: [], branches: [], line: lineNo };
      steps.push(current);
      body = new BlockBuilder();
      current.blocks = body.blocks;
      continue;
    }
    if (H2.test(line)) {
      problems.push({ file, line: lineNo, message: 'a level-2 heading must be a numbered step ("## 3. Check …"); use ### for sub-headings' });
      continue;
    }
    lintProse(file, line, lineNo, problems);
    const item = LIST_ITEM.exec(line);
    if (item && ARROW.test(item[1] ?? '')) {
      const parts = (item[1] ?? '').split(ARROW);
      const label = (parts[0] ?? '').trim();
      const rest = parts.slice(1).join(' → ');
      const parsed = targetOf(rest);
      if (!current) problems.push({ file, line: lineNo, message: 'branch before step 1: branches belong under a "## N. …" step' });
      else if (!parsed) problems.push({ file, line: lineNo, message: `branch target "${rest.trim()}" must be "step N", "stop" or "escalate"` });
      else if (!label) problems.push({ file, line: lineNo, message: 'branch needs a condition or action before the arrow ("- If … → step 3")' });
      else current.branches.push({ label, ...parsed, line: lineNo });
      continue;
    }
    body.text(line);
  }
  if (fence) problems.push({ file, line: fence.line, message: 'code fence is never closed' });
  body.flush();
  return { file, meta, intro: intro.blocks, steps, problems };
}

/** Rules for prose outside fences: commands in fences, safe links only, no images or raw HTML. */
function lintProse(file: string, line: string, lineNo: number, problems: RunbookProblem[]): void {
  if (BARE_COMMAND.test(line)) {
    problems.push({ file, line: lineNo, message: 'command outside a fenced code block: put it in ``` so it can be copied exactly' });
  }
  for (const m of line.matchAll(LINK)) {
    if (m[1] === '!') problems.push({ file, line: lineNo, message: 'images are not allowed: the app loads no remote content' });
    else if (!SAFE_LINK.test(m[3] ?? '')) {
      problems.push({ file, line: lineNo, message: `link "${m[3] ?? ''}" must be http(s), mailto or #anchor` });
    }
  }
  const withoutCode = line.replace(/`[^`]*`/g, '');
  if (RAW_HTML.test(withoutCode)) {
    problems.push({ file, line: lineNo, message: 'raw HTML is not rendered: write Markdown (wrap literal <tags> in `backticks`)' });
  }
}

/** The tree without line numbers, as it crosses boundaries. */
export function toTree(p: ParsedRunbook): RunbookTree {
  return {
    intro: p.intro,
    steps: p.steps.map((s) => ({
      id: s.id,
      title: s.title,
      blocks: s.blocks,
      branches: s.branches.map(({ line: _line, ...b }) => b),
    })),
  };
}
