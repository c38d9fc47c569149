import { CATALOG_RULE_IDS } from './catalog.js';
import { parseRunbook, type ParsedRunbook } from './parse.js';
import type { RunbookProblem } from './schema.js';

/**
 * Graph checks on one parsed runbook: every branch target exists, every step is reachable from
 * step 1 (no orphans), and every step can reach a terminal "stop"/"escalate" (no cycle a tired
 * person can walk forever). Returns the parser's problems plus these.
 */
export function checkRunbook(p: ParsedRunbook): RunbookProblem[] {
  const problems = [...p.problems];
  const { file, steps } = p;
  if (steps.length === 0) {
    problems.push({ file, line: 1, message: 'no steps: a runbook is a decision tree of "## 1. Check …" steps' });
    return problems;
  }
  const byId = new Map(steps.map((s) => [s.id, s]));
  const next = new Map<string, string[]>();
  const terminal = new Set<string>();
  for (const s of steps) {
    if (s.branches.length === 0) {
      problems.push({ file, line: s.line, message: `step ${s.id} has no branches: end it with "- If … → step N", "→ stop" or "→ escalate"` });
    }
    const targets: string[] = [];
    for (const b of s.branches) {
      if (b.target.kind !== 'step') terminal.add(s.id);
      else if (!byId.has(b.target.step)) {
        problems.push({ file, line: b.line, message: `step ${s.id} branches to step ${b.target.step}, which does not exist` });
      } else if (b.target.step === s.id) {
        problems.push({ file, line: b.line, message: `step ${s.id} branches to itself` });
      } else targets.push(b.target.step);
    }
    next.set(s.id, targets);
  }

  // Orphans: not reachable from the first step.
  const first = steps[0]?.id ?? '1';
  const reached = new Set<string>([first]);
  const queue = [first];
  while (queue.length > 0) {
    for (const t of next.get(queue.shift() ?? '') ?? []) {
      if (!reached.has(t)) {
        reached.add(t);
        queue.push(t);
      }
    }
  }
  for (const s of steps) {
    if (!reached.has(s.id)) problems.push({ file, line: s.line, message: `step ${s.id} is an orphan: no branch from step ${first} leads to it` });
  }

  // No exit: walk backwards from the steps that can stop or escalate.
  const exits = new Set(terminal);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, targets] of next) {
      if (!exits.has(id) && targets.some((t) => exits.has(t))) {
        exits.add(id);
        grew = true;
      }
    }
  }
  for (const s of steps) {
    if (!exits.has(s.id) && s.branches.length > 0) {
      problems.push({ file, line: s.line, message: `step ${s.id} never reaches "stop" or "escalate": a cycle without an exit` });
    }
  }
  return problems;
}

export interface RunbookSource {
  /** Shown in messages, e.g. runbooks/error-rate.md. */
  file: string;
  /** The file name without folders, e.g. error-rate.md (must be `<id>.md`). */
  name: string;
  text: string;
}

export interface CheckedRunbook {
  source: RunbookSource;
  parsed: ParsedRunbook;
  problems: RunbookProblem[];
}

/**
 * Checks a whole folder: each file, unique ids matching file names, and (when
 * `requiredRuleIds` is given) a runbook serving every catalog rule.
 */
export function checkLibrary(
  sources: readonly RunbookSource[],
  requiredRuleIds: readonly string[] | null = CATALOG_RULE_IDS,
  folder = 'runbooks/',
): { runbooks: CheckedRunbook[]; problems: RunbookProblem[] } {
  const runbooks = sources.map((source): CheckedRunbook => {
    const parsed = parseRunbook(source.file, source.text);
    const problems = checkRunbook(parsed);
    const id = parsed.meta?.id;
    if (id !== undefined && source.name !== `${id}.md`) {
      problems.push({ file: source.file, line: 2, message: `id "${id}" must match the file name (${id}.md)` });
    }
    return { source, parsed, problems };
  });
  const seen = new Map<string, string>();
  for (const r of runbooks) {
    const id = r.parsed.meta?.id;
    if (id === undefined) continue;
    const other = seen.get(id);
    if (other !== undefined) r.problems.push({ file: r.source.file, line: 2, message: `id "${id}" is already used by ${other}` });
    else seen.set(id, r.source.file);
  }
  const problems = runbooks.flatMap((r) => r.problems);
  if (requiredRuleIds) {
    const served = new Set(runbooks.flatMap((r) => (r.parsed.meta?.serves ?? []).filter((s): s is string => typeof s === 'string')));
    for (const rule of requiredRuleIds) {
      if (!served.has(rule)) problems.push({ file: folder, line: 0, message: `rule "${rule}" has no runbook: add one whose serves lists ${rule}` });
    }
  }
  return { runbooks, problems };
}

/** `file:line: message`, the shape editors and CI logs make clickable. */
export function formatProblem(p: RunbookProblem): string {
  return p.line > 0 ? `${p.file}:${p.line}: ${p.message}` : `${p.file}: ${p.message}`;
}
