import { z } from 'zod';

/**
 * The runbook model: frontmatter as written by people, and the parsed decision tree as it
 * crosses boundaries (collector HTTP, the app cache, the renderer). See runbooks/README.md.
 */

export const RunbookId = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9, dashes), e.g. error-rate')
  .max(100);

/** `{alertname: HighLatency}`: every listed label must equal the alert's label. */
export const LabelMatcher = z.record(z.string().min(1), z.string().min(1)).refine((m) => Object.keys(m).length > 0, {
  message: 'a label matcher needs at least one label',
});
export type LabelMatcher = z.infer<typeof LabelMatcher>;

/** A rule id (`error-rate`) or a label matcher (`{alertname: HighLatency}`). */
export const Serves = z.union([RunbookId, LabelMatcher]);
export type Serves = z.infer<typeof Serves>;

/** Rule tiers plus `practice` for runbooks no alert fires directly (postmortem, failover…). */
export const RunbookTier = z.enum(['page', 'ticket', 'review', 'practice']);
export type RunbookTier = z.infer<typeof RunbookTier>;

export const EscalationContact = z.strictObject({
  /** Who, by role: "secondary on-call", "model owner". */
  role: z.string().min(1),
  /** How to reach them: a pager handle, channel or address. */
  contact: z.string().min(1),
  /** When to pull them in, in words a tired person can apply ("error rate > 20% for 15 min"). */
  when: z.string().min(1).optional(),
});
export type EscalationContact = z.infer<typeof EscalationContact>;

export const RunbookFrontmatter = z.strictObject({
  id: RunbookId,
  title: z.string().min(3).max(200),
  serves: z.array(Serves),
  tier: RunbookTier,
  owner: z.string().min(1),
  last_reviewed: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
  escalation: z.array(EscalationContact).min(1, 'list at least one escalation contact'),
  /** Dashboards worth opening before step 1. */
  dashboards: z.array(z.strictObject({ title: z.string().min(1), url: z.url({ protocol: /^https?$/ }) })).optional(),
});
export type RunbookFrontmatter = z.infer<typeof RunbookFrontmatter>;

export const BranchTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('step'), step: z.string() }),
  z.object({ kind: z.literal('stop') }),
  z.object({ kind: z.literal('escalate') }),
]);
export type BranchTarget = z.infer<typeof BranchTarget>;

export const Branch = z.object({
  /** What the button says: the condition ("If the status page shows an incident"). */
  label: z.string(),
  target: BranchTarget,
  /** Text after the target ("→ stop: keep the fallback on for 1 h"). */
  note: z.string().optional(),
});
export type Branch = z.infer<typeof Branch>;

/** A step's body in order: Markdown prose, and commands that get a copy button. */
export const StepBlock = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('markdown'), text: z.string() }),
  z.object({ kind: z.literal('code'), lang: z.string(), code: z.string() }),
]);
export type StepBlock = z.infer<typeof StepBlock>;

export const RunbookStep = z.object({
  /** The step number as written ("3"); what branch targets and recorded paths use. */
  id: z.string(),
  title: z.string(),
  blocks: z.array(StepBlock),
  branches: z.array(Branch),
});
export type RunbookStep = z.infer<typeof RunbookStep>;

export const RunbookTree = z.object({
  /** Markdown before step 1 (context, dashboards). */
  intro: z.array(StepBlock),
  steps: z.array(RunbookStep),
});
export type RunbookTree = z.infer<typeof RunbookTree>;

/** One problem found in a runbook; `line` is 1-based in the file. */
export const RunbookProblem = z.object({ file: z.string(), line: z.number().int().nonnegative(), message: z.string() });
export type RunbookProblem = z.infer<typeof RunbookProblem>;

/** What `GET /v1/runbooks` lists; `version` is a hash of the file's content. */
export const RunbookSummary = z.object({
  id: z.string(),
  title: z.string(),
  tier: RunbookTier,
  serves: z.array(Serves),
  version: z.string(),
});
export type RunbookSummary = z.infer<typeof RunbookSummary>;

export const RunbookListBody = z.object({
  runbooks: z.array(RunbookSummary),
  /** Files that failed the check: listed so a team sees them, never served broken. */
  invalid: z.array(z.object({ file: z.string(), problems: z.array(RunbookProblem) })),
});
export type RunbookListBody = z.infer<typeof RunbookListBody>;

/** `GET /v1/runbooks/:id`, and what the app caches. */
export const RunbookDoc = RunbookSummary.extend({
  meta: RunbookFrontmatter,
  markdown: z.string(),
  tree: RunbookTree,
});
export type RunbookDoc = z.infer<typeof RunbookDoc>;

/** One search hit; `snippet` marks matches with U+E000/U+E001 so the UI highlights without HTML. */
export const RunbookHit = z.object({ id: z.string(), title: z.string(), tier: RunbookTier, snippet: z.string(), rank: z.number() });
export type RunbookHit = z.infer<typeof RunbookHit>;

export const HIGHLIGHT_START = '\uE000';
export const HIGHLIGHT_END = '\uE001';
