import { DateTime } from 'luxon';
import { POSTMORTEM_SECTIONS, SECTION_PROMPTS, SECTION_TITLES, type ActionItem, type Postmortem } from './schema.js';

/**
 * A postmortem as Markdown (the export button; share it in the wiki or the team channel). Pure
 * and deterministic: the same postmortem gives the same bytes (test/fixtures/postmortem.golden.md).
 * Times are UTC to the second.
 */

/** `2026-03-02 03:00:05 UTC`, whatever offset the ISO time carries (the schema allows any). */
export function stamp(iso: string): string {
  const t = DateTime.fromISO(iso, { zone: 'UTC' });
  return t.isValid ? t.toUTC().toFormat("yyyy-MM-dd HH:mm:ss 'UTC'") : iso;
}

/** `1h 2m 5s`, `4m 12s`, `0s`. */
export function formatDuration(ms: number): string {
  let s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3_600);
  s -= h * 3_600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : '', s || (!d && !h && !m) ? `${s}s` : ''];
  return parts.filter(Boolean).join(' ');
}

function after(fromIso: string, toIso: string): string {
  return ` (after ${formatDuration(Date.parse(toIso) - Date.parse(fromIso))})`;
}

/** A table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function itemLine(a: ActionItem): string {
  const link = a.runbookId !== undefined ? ` — runbook follow-up: [${a.runbookId}](runbooks/${a.runbookId}.md)` : '';
  const done = a.done && a.doneAt !== undefined ? `, done ${a.doneAt.slice(0, 10)}` : '';
  return `- [${a.done ? 'x' : ' '}] ${cell(a.text)} — owner **${cell(a.owner)}**, due ${a.due}${done}${link}`;
}

export function postmortemMarkdown(pm: Postmortem): string {
  const i = pm.incident;
  const lines: string[] = [`# ${cell(pm.title)}`, ''];
  lines.push(`- Incident: \`${i.id}\` — ${cell(i.title)}`);
  lines.push(`- Tier: ${i.tier} · alerts: ${i.alertCount}`);
  lines.push(`- Fired: ${stamp(i.firedAt)}`);
  if (i.acknowledgedAt !== undefined) {
    const by = i.acknowledgedBy !== undefined ? ` by ${cell(i.acknowledgedBy)}` : '';
    lines.push(`- Acknowledged: ${stamp(i.acknowledgedAt)}${by}${after(i.firedAt, i.acknowledgedAt)}`);
  }
  if (i.mitigatedAt !== undefined) lines.push(`- Mitigated: ${stamp(i.mitigatedAt)}${after(i.firedAt, i.mitigatedAt)}`);
  if (i.resolvedAt !== undefined) lines.push(`- Resolved: ${stamp(i.resolvedAt)}${after(i.firedAt, i.resolvedAt)}`);
  lines.push(
    `- Drafted by ${cell(pm.createdBy)} at ${stamp(pm.createdAt)}; last edited by ${cell(pm.updatedBy)} at ${stamp(pm.updatedAt)}`,
  );
  lines.push('', '_Blameless: this describes systems and decisions, not people._', '');
  for (const s of POSTMORTEM_SECTIONS) {
    const text = pm.sections[s].trim();
    lines.push(`## ${SECTION_TITLES[s]}`, '', text !== '' ? text : `_${SECTION_PROMPTS[s]}_`, '');
  }
  lines.push('## Timeline (UTC)', '');
  if (pm.timeline.length === 0) {
    lines.push('_No events were in the log._', '');
  } else {
    lines.push('| Time | What | Alert |', '| --- | --- | --- |');
    for (const t of pm.timeline) {
      lines.push(`| ${stamp(t.at)} | ${cell(t.text)} | ${t.alertId !== undefined ? `\`${cell(t.alertId)}\`` : ''} |`);
    }
    lines.push('');
  }
  lines.push('## Action items', '');
  if (pm.actionItems.length === 0) lines.push('_None yet._');
  for (const a of pm.actionItems) lines.push(itemLine(a));
  lines.push('');
  return lines.join('\n');
}

/** A file name for the export: `postmortem-inc-3.md`. */
export function markdownFilename(pm: Postmortem): string {
  return `postmortem-${pm.incident.id.replace(/[^A-Za-z0-9_.-]/g, '_')}.md`;
}
