import type { RotationOverride, VigilApi } from '../../../../shared/protocol';
import { errorMessage } from '../../api/results';

/**
 * Calendar edits through the outbox (works offline: the command waits and is applied once on
 * reconnect). Each returns an error sentence, or null when queued.
 */
export async function createOverride(api: VigilApi, o: RotationOverride): Promise<string | null> {
  try {
    await api.call('rotation.override', o);
    return null;
  } catch (err) {
    return errorMessage(err);
  }
}

/**
 * A swap of two shifts of one role: two overrides sharing a swapId (each person covers the
 * other's shift). Queued in order; if the second is refused the first still stands (shown).
 */
export async function createSwap(
  api: VigilApi,
  role: RotationOverride['role'],
  a: { user: string; from: string; to: string },
  b: { user: string; from: string; to: string },
  swapId: string,
): Promise<string | null> {
  const first = await createOverride(api, { role, user: b.user, from: a.from, to: a.to, swapId });
  if (first !== null) return first;
  return createOverride(api, { role, user: a.user, from: b.from, to: b.to, swapId });
}

export async function removeOverrides(api: VigilApi, ids: readonly string[]): Promise<string | null> {
  try {
    for (const id of ids) await api.call('rotation.removeOverride', { id });
    return null;
  } catch (err) {
    return errorMessage(err);
  }
}

/** Saves the iCal file the desktop built from its cache (a download in the page). */
export async function exportIcs(api: VigilApi, user?: string): Promise<string | null> {
  try {
    const file = await api.call('rotation.ics', user !== undefined ? { user } : {});
    const url = URL.createObjectURL(new Blob([file.ics], { type: 'text/calendar' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = file.filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return null;
  } catch (err) {
    return errorMessage(err);
  }
}
