/**
 * Compiled by `tsc -p tsconfig.json` (npm run typecheck) and by test/unit/api-handlers.test.ts:
 * every `@ts-expect-error` below must be consumed by a real error, or the compile fails.
 * Not a vitest file: it proves things about types, not behaviour.
 */
import type { ApiHandler, ApiHandlers } from '../../shared/api/handlers.js';
import type { VigilApi } from '../../shared/protocol/api.js';

declare const complete: ApiHandlers;
const { ['rotation.override']: _dropped, ...withoutOverride } = complete;

// A method of the table without a handler does not satisfy the handler map.
// @ts-expect-error Property 'rotation.override' is missing
export const missingHandler = { ...withoutOverride } satisfies ApiHandlers;

// A handler for a method that is not in the table is refused too.
// @ts-expect-error Object literal may only specify known properties
export const extraHandler = { ...complete, 'alerts.drop': () => null } satisfies ApiHandlers;

// A handler answering the wrong shape for its method.
// @ts-expect-error Type 'number' is not assignable
export const wrongResult: ApiHandler<'status.get'> = () => 42;

// A handler reading a param its method does not have.
// @ts-expect-error Property 'alertId' does not exist
export const wrongParam: ApiHandler<'alerts.get'> = (p) => ({ alert: p.alertId, timeline: [] });

declare const api: VigilApi;
export async function callers(): Promise<void> {
  // The renderer's call is typed from the table: params and result.
  const detail = await api.call('alerts.get', { id: 'a1' });
  detail?.alert.id.toUpperCase();
  // @ts-expect-error alerts.get takes {id}, not {alertId}
  await api.call('alerts.get', { alertId: 'a1' });
  // @ts-expect-error no such method
  await api.call('alerts.drop', {});
  const s = await api.call('status.get', {});
  // @ts-expect-error status.get answers a SyncStatus, which has no `length`
  return void s.length;
}
