/**
 * User Timing marks (`performance.mark`) at the inbox's milestones, so `npm run bench` (and the
 * browser's own profiler) can read how long the first render of a big inbox takes. A mark costs
 * microseconds and keeps nothing but its name and time; the browser bounds the buffer.
 */
export function markTiming(name: string): void {
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(name);
}
