import { describe, expect, it } from 'vitest';
import { describeWalk, idFromRunbookUrl, runbookForAlert } from '../../shared/runbooks/match.js';
import { HIGHLIGHT_END, HIGHLIGHT_START, type RunbookDoc } from '../../shared/runbooks/schema.js';
import { invalidPath } from '../../electron/main/services/runbooks/runbook-service.js';
import { toFtsQuery } from '../../electron/main/services/runbooks/fts-query.js';
import { backTo, choose, currentStep, snippetParts, startWalk } from '../../renderer/src/lib/runbook.js';

const DOC: RunbookDoc = {
  id: 'error-rate',
  title: 'Error rate',
  tier: 'page',
  serves: ['error-rate'],
  version: 'v1',
  markdown: '',
  meta: {
    id: 'error-rate',
    title: 'Error rate',
    serves: ['error-rate'],
    tier: 'page',
    owner: 't',
    last_reviewed: '2026-01-01',
    escalation: [{ role: 'r', contact: 'c' }],
  },
  tree: {
    intro: [],
    steps: [
      {
        id: '1',
        title: 'A',
        blocks: [],
        branches: [
          { label: 'to 2', target: { kind: 'step', step: '2' } },
          { label: 'to 3', target: { kind: 'step', step: '3' } },
        ],
      },
      { id: '2', title: 'B', blocks: [], branches: [{ label: 'done', target: { kind: 'stop' } }] },
      { id: '3', title: 'C', blocks: [], branches: [{ label: 'help', target: { kind: 'escalate' } }] },
    ],
  },
};

describe('alert → runbook', () => {
  const books = [
    { id: 'error-rate', serves: ['error-rate'] },
    { id: 'high-latency', serves: [{ alertname: 'HighLatency', severity: 'page' }] },
    { id: 'provider-down', serves: ['provider-down'] },
  ];
  it('prefers runbookId, then rule id, then runbook_url, then a label matcher', () => {
    expect(runbookForAlert({ ruleId: 'x', runbookId: 'provider-down', labels: {} }, books)).toBe('provider-down');
    expect(runbookForAlert({ ruleId: 'error-rate', labels: {} }, books)).toBe('error-rate');
    expect(
      runbookForAlert(
        { ruleId: 'am', labels: { runbook_url: 'https://wiki.example.com/runbooks/Provider-Down.md#top' } },
        books,
      ),
    ).toBe('provider-down');
    expect(runbookForAlert({ ruleId: 'am', labels: { alertname: 'HighLatency', severity: 'page' } }, books)).toBe(
      'high-latency',
    );
    expect(runbookForAlert({ ruleId: 'am', labels: { alertname: 'HighLatency' } }, books)).toBeNull();
    expect(runbookForAlert({ ruleId: 'nope', runbookId: 'unknown', labels: {} }, books)).toBeNull();
  });
  it('reads ids from runbook URLs', () => {
    expect(idFromRunbookUrl('https://x/runbooks/error-rate')).toBe('error-rate');
    expect(idFromRunbookUrl('https://x/a/b.html?x=1')).toBe('b');
    expect(idFromRunbookUrl('')).toBeNull();
  });
});

describe('walking', () => {
  it('follows branches, ends on stop/escalate, goes back via the breadcrumb', () => {
    let w = startWalk(DOC);
    expect(currentStep(DOC, w)?.id).toBe('1');
    w = choose(w, DOC.tree.steps[0]!.branches[0]!);
    expect(w.path).toEqual(['1', '2']);
    w = choose(w, DOC.tree.steps[1]!.branches[0]!);
    expect(w.outcome).toBe('stop');
    expect(choose(w, DOC.tree.steps[0]!.branches[1]!)).toBe(w);
    w = backTo(w, 0);
    expect(w).toEqual({ path: ['1'], outcome: null, endedWith: null });
    expect(describeWalk('error-rate', ['1', '3'], 'escalate')).toBe('runbook error-rate: 1 → 3 (escalate)');
  });

  it('accepts only paths a person could have clicked', () => {
    expect(invalidPath(DOC, ['1', '2'], 'stop')).toBeNull();
    expect(invalidPath(DOC, ['1'])).toBeNull();
    expect(invalidPath(DOC, ['2'])).toBe('path: a walk starts at step 1');
    expect(invalidPath(DOC, ['1', '9'])).toBe('path[1]: step 1 has no branch to step 9');
    expect(invalidPath(DOC, ['1', '2', '3'])).toBe('path[2]: step 2 has no branch to step 3');
    expect(invalidPath(DOC, ['1', '2'], 'escalate')).toBe('outcome: step 2 has no "escalate" branch');
  });
});

describe('search helpers', () => {
  it('turns any input into a safe FTS5 query', () => {
    expect(toFtsQuery('rate limit')).toBe('"rate" "limit"*');
    expect(toFtsQuery('"; DROP TABLE runbooks; -- NEAR(a b) OR *')).toBe(
      '"DROP" "TABLE" "runbooks" "NEAR" "a" "b" "OR"*',
    );
    expect(toFtsQuery('  ?!  ')).toBeNull();
    expect(toFtsQuery('x '.repeat(50))?.split(' ')).toHaveLength(12);
  });
  it('splits highlighted snippets', () => {
    expect(snippetParts(`…a ${HIGHLIGHT_START}retry${HIGHLIGHT_END} loop`)).toEqual([
      { text: '…a ', hit: false },
      { text: 'retry', hit: true },
      { text: ' loop', hit: false },
    ]);
    expect(snippetParts(`${HIGHLIGHT_START}open`)).toEqual([{ text: 'open', hit: true }]);
  });
});
