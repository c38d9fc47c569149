/**
 * The headless host hands the page its bridge token in the URL fragment (`#token=…`): fragments
 * never reach a server log or a Referer header.
 */
export function tokenFromHash(hash: string): string | null {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const token = new URLSearchParams(raw).get('token');
  return token && token.trim() !== '' ? token.trim() : null;
}

/** `ws://host/bridge?token=…`, or `wss://` when the page itself came over https. */
export function bridgeUrl(location: { protocol: string; host: string }, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/bridge?token=${encodeURIComponent(token)}`;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): 0.5 s doubling to a 10 s cap, with up to
 * 20 % jitter so several windows do not hammer a restarting host in lockstep. The host is local,
 * so the cap stays short: a human is waiting on the other side.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base * (1 - 0.2 * random()));
}
