import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CATALOG_RULE_IDS,
  checkLibrary,
  checkRunbook,
  formatProblem,
  parseRunbook,
  toTree,
} from '../../shared/runbooks/index.js';

const FRONT = `---
id: demo
title: Demo runbook
serves: [demo-rule, {alertname: Demo}]
tier: page
owner: team
last_reviewed: 2026-01-02
escalation:
  - {role: secondary, contact: "#oncall", when: "after 20 min"}
---
`;

/** Runs parser + graph checks on one file and returns `line: message` strings. */
function problems(body: string, front = FRONT): string[] {
  return checkRunbook(parseRunbook('demo.md', front + body)).map((p) => `${p.line}: ${p.message}`);
}

const GOOD = `
Context before the steps.

## 1. Check the error types

\`\`\`sh
curl -s "$VIGIL/v1/alerts"
\`\`\`

- If they are 429s → step 2
- If they are 5xx → step 3: provider trouble

## 2. Check the rate

- Volume jumped → stop: throttle the job
- Otherwise → step 3

## 3. Check the provider

See [status](https://status.example.com).

- Provider down → escalate
- Provider fine → stop
`;

describe('runbook parser', () => {
  it('parses frontmatter, steps, branches and fenced commands', () => {
    const p = parseRunbook('demo.md', FRONT + GOOD);
    expect(p.problems).toEqual([]);
    expect(p.meta?.serves).toEqual(['demo-rule', { alertname: 'Demo' }]);
    const tree = toTree(p);
    expect(tree.steps.map((s) => s.id)).toEqual(['1', '2', '3']);
    expect(tree.steps[0]?.blocks).toEqual([{ kind: 'code', lang: 'sh', code: 'curl -s "$VIGIL/v1/alerts"' }]);
    expect(tree.steps[0]?.branches).toEqual([
      { label: 'If they are 429s', target: { kind: 'step', step: '2' } },
      { label: 'If they are 5xx', target: { kind: 'step', step: '3' }, note: 'provider trouble' },
    ]);
    expect(tree.steps[1]?.branches[0]).toEqual({
      label: 'Volume jumped',
      target: { kind: 'stop' },
      note: 'throttle the job',
    });
    expect(tree.steps[2]?.branches[0]?.target).toEqual({ kind: 'escalate' });
    expect(tree.intro).toEqual([{ kind: 'markdown', text: 'Context before the steps.' }]);
    expect(checkRunbook(p)).toEqual([]);
  });

  it('accepts -> as an arrow', () => {
    expect(problems('## 1. Check\n\n- Fine -> stop\n')).toEqual([]);
  });

  it('reports a branch to a missing step with its line', () => {
    expect(problems('## 1. Check\n\n- If odd → step 7\n- Fine → stop\n')).toEqual([
      '13: step 1 branches to step 7, which does not exist',
    ]);
  });

  it('reports a cycle without an exit', () => {
    const out = problems('## 1. A\n\n- Go → step 2\n\n## 2. B\n\n- Back → step 1\n');
    expect(out).toContain('11: step 1 never reaches "stop" or "escalate": a cycle without an exit');
    expect(out).toContain('15: step 2 never reaches "stop" or "escalate": a cycle without an exit');
  });

  it('accepts a cycle that has an exit', () => {
    expect(problems('## 1. A\n\n- Go → step 2\n\n## 2. B\n\n- Retry → step 1\n- Done → stop\n')).toEqual([]);
  });

  it('reports an orphan step', () => {
    expect(problems('## 1. A\n\n- Done → stop\n\n## 2. Lonely\n\n- Done → stop\n')).toEqual([
      '15: step 2 is an orphan: no branch from step 1 leads to it',
    ]);
  });

  it('reports a step without branches, a self-loop and steps out of order', () => {
    expect(problems('## 1. A\n\nJust prose.\n')).toEqual([
      '11: step 1 has no branches: end it with "- If … → step N", "→ stop" or "→ escalate"',
    ]);
    expect(problems('## 1. A\n\n- Again → step 1\n- Done → stop\n')).toEqual(['13: step 1 branches to itself']);
    expect(problems('## 1. A\n\n- Go → step 3\n\n## 3. C\n\n- Done → stop\n')).toEqual([
      '15: step 3 is out of order: steps are numbered 1, 2, 3… and this should be step 2',
    ]);
  });

  it('reports a bad branch target and a branch before step 1', () => {
    expect(problems('- Early → stop\n\n## 1. A\n\n- Then → maybe later\n- Done → stop\n')).toEqual([
      '11: branch before step 1: branches belong under a "## N. …" step',
      '15: branch target "maybe later" must be "step N", "stop" or "escalate"',
    ]);
  });

  it('reports bad frontmatter field by field', () => {
    const bad = `---
id: Not_Kebab
title: x
serves: []
tier: urgent
owner: team
last_reviewed: yesterday
escalation: []
---
## 1. A

- Done → stop
`;
    const out = checkRunbook(parseRunbook('bad.md', bad)).map(formatProblem);
    expect(out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bad\.md:2: frontmatter id: must be kebab-case/),
        expect.stringMatching(/^bad\.md:3: frontmatter title: /),
        expect.stringMatching(/^bad\.md:5: frontmatter tier: /),
        'bad.md:7: frontmatter last_reviewed: must be a date YYYY-MM-DD',
        'bad.md:8: frontmatter escalation: list at least one escalation contact',
      ]),
    );
  });

  it('reports missing frontmatter, invalid YAML and unknown keys', () => {
    expect(checkRunbook(parseRunbook('x.md', '## 1. A\n\n- Done → stop\n')).map(formatProblem)).toEqual([
      'x.md:1: missing frontmatter: the file must start with a --- YAML block ---',
    ]);
    const yamlBad = checkRunbook(parseRunbook('y.md', '---\nid: [unclosed\n---\n## 1. A\n\n- Done → stop\n'));
    expect(yamlBad[0]?.message).toMatch(/^frontmatter is not valid YAML/);
    const extra = FRONT.replace('owner: team', 'owner: team\nownr: typo');
    expect(problems('## 1. A\n\n- Done → stop\n', extra).join('\n')).toMatch(
      /frontmatter \(frontmatter\): Unrecognized key: "ownr"/,
    );
  });

  it('reports commands outside fences, unsafe links, images and raw HTML', () => {
    const out = problems(`## 1. A

$ kubectl get pods
kubectl -n llm logs deploy/x
curl https://example.com
See [x](javascript:alert(1)) and [y](data:text/html,hi) and ![img](https://evil.example/x.png).
<script>alert(1)</script>
Inline \`<b>\` is fine, so is \`kubectl\` in backticks.

\`\`\`sh
curl -s https://fine.example.com
\`\`\`

- Done → stop
`);
    expect(out).toEqual([
      '13: command outside a fenced code block: put it in ``` so it can be copied exactly',
      '14: command outside a fenced code block: put it in ``` so it can be copied exactly',
      '15: command outside a fenced code block: put it in ``` so it can be copied exactly',
      '16: link "javascript:alert(1" must be http(s), mailto or #anchor',
      '16: link "data:text/html,hi" must be http(s), mailto or #anchor',
      '16: images are not allowed: the app loads no remote content',
      '17: raw HTML is not rendered: write Markdown (wrap literal <tags> in `backticks`)',
    ]);
  });

  it('reports an unclosed fence and a stray level-2 heading', () => {
    expect(problems('## 1. A\n\n- Done → stop\n\n## Notes\n\n```sh\nls\n')).toEqual([
      '15: a level-2 heading must be a numbered step ("## 3. Check …"); use ### for sub-headings',
      '17: code fence is never closed',
    ]);
  });

  it('reports a runbook without steps', () => {
    expect(problems('Only prose.\n')).toEqual(['1: no steps: a runbook is a decision tree of "## 1. Check …" steps']);
  });
});

describe('runbook library check', () => {
  const src = (name: string, text: string) => ({ file: `runbooks/${name}`, name, text });

  it('requires every catalog rule to have a runbook, ids to match file names and be unique', () => {
    const doc = FRONT + GOOD;
    const { problems: out } = checkLibrary([src('demo.md', doc), src('copy.md', doc)], ['demo-rule', 'missing-rule']);
    expect(out.map(formatProblem)).toEqual([
      'runbooks/copy.md:2: id "demo" must match the file name (demo.md)',
      'runbooks/copy.md:2: id "demo" is already used by runbooks/demo.md',
      'runbooks/: rule "missing-rule" has no runbook: add one whose serves lists missing-rule',
    ]);
  });

  it('passes on the bundled runbooks, which cover the whole catalog', () => {
    const dir = resolve(import.meta.dirname, '../../runbooks');
    const names = readdirSync(dir).filter((n) => n.endsWith('.md') && n !== 'README.md');
    const { runbooks, problems: out } = checkLibrary(names.map((n) => src(n, readFileSync(join(dir, n), 'utf8'))));
    expect(out.map(formatProblem)).toEqual([]);
    const served = new Set(runbooks.flatMap((r) => r.parsed.meta?.serves ?? []));
    for (const rule of CATALOG_RULE_IDS) expect(served.has(rule), rule).toBe(true);
    for (const practice of [
      'rate-limiting',
      'cache-warming',
      'model-routing-fallback',
      'declare-incident',
      'postmortem',
      'provider-failover',
    ]) {
      expect(names).toContain(`${practice}.md`);
    }
    // Each runbook has commands to copy and an escalation threshold in numbers.
    for (const r of runbooks) {
      const blocks = r.parsed.steps.flatMap((s) => s.blocks);
      expect(blocks.some((b) => b.kind === 'code') || r.parsed.meta?.tier === 'practice', r.source.name).toBe(true);
      expect(
        r.parsed.steps.some((s) => s.branches.some((b) => b.target.kind === 'escalate')),
        r.source.name,
      ).toBe(true);
    }
  });
});
