import type { Branch, RunbookDoc, RunbookStep } from '../../../shared/runbooks/schema';
import { HIGHLIGHT_END, HIGHLIGHT_START } from '../../../shared/runbooks/schema';

/** Where a person stands in a runbook: the steps visited, and how it ended (if it did). */
export interface Walk {
  path: string[];
  outcome: 'stop' | 'escalate' | null;
  /** The branch label that ended it, for the summary. */
  endedWith: string | null;
}

export function startWalk(doc: RunbookDoc): Walk {
  const first = doc.tree.steps[0];
  return { path: first ? [first.id] : [], outcome: null, endedWith: null };
}

export function currentStep(doc: RunbookDoc, walk: Walk): RunbookStep | null {
  const id = walk.path[walk.path.length - 1];
  return doc.tree.steps.find((s) => s.id === id) ?? null;
}

/** Follows a branch: to its step, or to the end. A finished walk does not move. */
export function choose(walk: Walk, branch: Branch): Walk {
  if (walk.outcome !== null) return walk;
  if (branch.target.kind === 'step') return { ...walk, path: [...walk.path, branch.target.step] };
  return { ...walk, outcome: branch.target.kind, endedWith: branch.label };
}

/** Back to the step at `index` of the breadcrumb (an earlier choice was wrong). */
export function backTo(walk: Walk, index: number): Walk {
  if (index < 0 || index >= walk.path.length) return walk;
  return { path: walk.path.slice(0, index + 1), outcome: null, endedWith: null };
}

export function targetText(branch: Branch): string {
  if (branch.target.kind === 'step') return `step ${branch.target.step}`;
  return branch.target.kind === 'stop' ? 'stop' : 'escalate';
}

/** Splits an FTS snippet into plain and highlighted parts (markers, not HTML, cross the wire). */
export function snippetParts(snippet: string): { text: string; hit: boolean }[] {
  const out: { text: string; hit: boolean }[] = [];
  let rest = snippet;
  while (rest.length > 0) {
    const start = rest.indexOf(HIGHLIGHT_START);
    if (start < 0) {
      out.push({ text: rest, hit: false });
      break;
    }
    if (start > 0) out.push({ text: rest.slice(0, start), hit: false });
    const end = rest.indexOf(HIGHLIGHT_END, start + 1);
    const stop = end < 0 ? rest.length : end;
    out.push({ text: rest.slice(start + 1, stop), hit: true });
    rest = end < 0 ? '' : rest.slice(end + 1);
  }
  return out.filter((p) => p.text.length > 0);
}
