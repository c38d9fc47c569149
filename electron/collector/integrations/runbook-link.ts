/**
 * Maps a `runbook_url` to a bundled runbook id: the URL may be the id itself
 * ("provider-down"), or end with `/<id>` or `/<id>.md` (a wiki page or the repo file). Only
 * ids `isKnown` accepts count, so an arbitrary URL never points the UI at the wrong runbook.
 */
export function runbookIdFromUrl(url: string, isKnown: (id: string) => boolean): string | undefined {
  const trimmed = url.trim();
  if (isKnown(trimmed)) return trimmed;
  const path = trimmed.split(/[?#]/)[0] ?? '';
  const last = path.replace(/\/+$/, '').split('/').pop() ?? '';
  const id = last.replace(/\.md$/i, '');
  return id && isKnown(id) ? id : undefined;
}
