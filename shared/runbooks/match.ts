import type { RunbookSummary, Serves } from './schema.js';

/** The parts of an alert that pick its runbook. */
export interface AlertRef {
  ruleId: string;
  runbookId?: string;
  labels: Record<string, string | undefined>;
}

function labelMatches(matcher: Exclude<Serves, string>, labels: AlertRef['labels']): boolean {
  return Object.entries(matcher).every(([k, v]) => labels[k] === v);
}

/** `https://wiki/runbooks/high-latency.md#top` → "high-latency" (the last path segment, no extension). */
export function idFromRunbookUrl(url: string): string | null {
  const path = url.split(/[?#]/)[0] ?? '';
  const last = path.split('/').filter(Boolean).pop();
  if (!last) return null;
  return decodeURIComponent(last).replace(/\.(?:md|markdown|html?)$/i, '').toLowerCase();
}

/**
 * Which runbook serves an alert, most specific first: its runbookId, then a runbook listing its
 * rule id, then (Alertmanager) the `runbook_url` annotation's file name, then a label matcher.
 */
export function runbookForAlert(alert: AlertRef, runbooks: readonly Pick<RunbookSummary, 'id' | 'serves'>[]): string | null {
  const ids = new Set(runbooks.map((r) => r.id));
  if (alert.runbookId && ids.has(alert.runbookId)) return alert.runbookId;
  const byRule = runbooks.find((r) => r.serves.includes(alert.ruleId));
  if (byRule) return byRule.id;
  const url = alert.labels.runbook_url;
  if (url) {
    const id = idFromRunbookUrl(url);
    if (id && ids.has(id)) return id;
  }
  const byLabels = runbooks.find((r) => r.serves.some((s) => typeof s !== 'string' && labelMatches(s, alert.labels)));
  return byLabels?.id ?? null;
}

/** The note recorded on the alert's timeline: `runbook error-rate: 1 → 3 → 4 (stop)`. */
export function describeWalk(runbookId: string, path: readonly string[], outcome?: 'stop' | 'escalate'): string {
  return `runbook ${runbookId}: ${path.join(' → ')}${outcome ? ` (${outcome})` : ''}`;
}
