import type { AlertLabels } from '../../../shared/protocol';

/** Labels the inbox row shows in its own line; everything else goes to the detail's label list. */
const PRIMARY = new Set(['service', 'provider', 'model']);

/** "provider/model", or whichever half exists, or null. */
export function formatModel(labels: AlertLabels): string | null {
  const { provider, model } = labels;
  if (provider && model) return `${provider}/${model}`;
  return provider || model || null;
}

/** "checkout-api · openai/gpt-4o": service and provider/model, skipping whatever is missing. */
export function formatServiceLine(labels: AlertLabels): string {
  return [labels.service, formatModel(labels)].filter((s): s is string => Boolean(s)).join(' · ');
}

/** Every label as a sorted [key, value] pair; primary labels first, in a fixed order. */
export function labelPairs(labels: AlertLabels): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const key of PRIMARY) {
    const v = labels[key];
    if (v) pairs.push([key, v]);
  }
  const rest = Object.entries(labels)
    .filter((e): e is [string, string] => !PRIMARY.has(e[0]) && typeof e[1] === 'string' && e[1] !== '')
    .sort(([a], [b]) => a.localeCompare(b));
  return pairs.concat(rest);
}
