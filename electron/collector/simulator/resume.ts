/**
 * Where a backfill starts. Re-running the demo (or `npm run simulate -- --backfill 1d`) against
 * the same collector used to post the same day again, doubling the stored history each run. The
 * collector reports where its data ends (`GET /v1/stats` → `lastEventTs`): the backfill covers
 * only the span after it, so a second run fills the gap since the first one stopped.
 */
import { Stats } from '../../../shared/protocol/events.js';

export interface HttpGetResponse {
  status: number;
  body: string;
}
/** Injected so tests can stand in a fake collector without sockets. */
export type GetFn = (url: string, headers: Record<string, string>) => Promise<HttpGetResponse>;

/** One stats request may take this long before it counts as a failed attempt. */
const STATS_TIMEOUT_MS = 10_000;

export const fetchGet: GetFn = async (url, headers) => {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(STATS_TIMEOUT_MS) });
  return { status: res.status, body: await res.text() };
};

export type DataEnd =
  /** `lastEventTs` undefined: the collector has no events (or is too old to say). */
  | { kind: 'known'; lastEventTs: number | undefined; note?: string }
  | { kind: 'unauthorized'; message: string }
  /** `retry`: the collector is down or starting (worth asking again), or it cannot say (not). */
  | { kind: 'unknown'; message: string; retry: boolean };

/** Asks the collector once. */
export async function fetchDataEnd(baseUrl: string, token: string, get: GetFn = fetchGet): Promise<DataEnd> {
  const url = new URL('v1/stats', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
  let res: HttpGetResponse;
  try {
    res = await get(url, { authorization: `Bearer ${token}` });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { kind: 'unknown', message: `GET /v1/stats failed: ${why}`, retry: true };
  }
  if (res.status === 401 || res.status === 403) {
    return { kind: 'unauthorized', message: `collector rejected the token (HTTP ${res.status}); check the token` };
  }
  if (res.status !== 200) {
    return { kind: 'unknown', message: `GET /v1/stats answered HTTP ${res.status}`, retry: res.status >= 500 };
  }
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    return { kind: 'unknown', message: 'GET /v1/stats answered something that is not JSON', retry: false };
  }
  const stats = Stats.safeParse(json);
  if (!stats.success) {
    return { kind: 'unknown', message: `GET /v1/stats: ${stats.error.issues[0]?.message ?? 'bad body'}`, retry: false };
  }
  if (stats.data.lastEventTs === undefined) {
    return stats.data.events > 0
      ? { kind: 'unknown', message: 'this collector does not report where its data ends (lastEventTs)', retry: false }
      : { kind: 'known', lastEventTs: undefined };
  }
  return { kind: 'known', lastEventTs: stats.data.lastEventTs ?? undefined };
}

/**
 * The backfill covers [from, to); with data up to `lastEventTs` it starts just after it (and is
 * empty when the data already reaches `to`).
 */
export function resumeFrom(from: number, to: number, lastEventTs: number | undefined): number {
  if (lastEventTs === undefined) return from;
  return Math.min(to, Math.max(from, lastEventTs + 1));
}
