/** Relative targets resolve against this; only the path and query of the result are used. */
const BASE = 'http://collector';
/** A path: one slash, then anything but a second slash or backslash (URL parsing reads `/\` as `//`). */
const ORIGIN_FORM = /^\/(?![/\\])/;
/** A full URL, as proxies send it (HTTP/1.1 absolute-form). */
const ABSOLUTE_FORM = /^https?:\/\//i;

/**
 * The request target as a URL: the one place the collector (routes, stream upgrade) and the
 * headless host (static files, bridge upgrade) parse `req.url`. node's parser
 * accepts targets that `new URL(target, base)` throws on (`//`, `/\`, `http://[`) or reads as
 * another host (`//x/v1/alerts` is the path `/v1/alerts` of host `x`); those would crash an
 * unguarded listener or reach a route by a path the client did not send. Only a path (origin
 * form) or a full http(s) URL is a target; anything else is undefined.
 */
export function parseTarget(target: string | undefined): URL | undefined {
  const raw = target ?? '/';
  try {
    if (ORIGIN_FORM.test(raw)) return new URL(raw, BASE);
    if (ABSOLUTE_FORM.test(raw)) return new URL(raw);
  } catch {
    // Not parseable: fall through to undefined.
  }
  return undefined;
}
