import type { Silence } from '../protocol/incident.js';
import { dispatch, dispatchAll } from './dispatch.js';
import { applyInhibitions } from './inhibit.js';
import { applyAction, settleAll, type IncidentAction } from './incident-state.js';
import { markSent, notifications, type IncidentNotification } from './notify.js';
import type { AlertInput, IncidentCoreState, IncidentsConfig } from './schema.js';
import { addSilence, applySilences, expireSilence } from './silence.js';

export { notifications, markSent, type IncidentNotification } from './notify.js';

/**
 * The notify pipeline (Alertmanager's MultiStage): a list of small stages, each a pure
 * `(state, input, now) → state`, run in order for every input. A stage ignores inputs that are
 * not its own. New policy is a new stage in the list.
 *
 *   dispatch → silence commands → incident commands → inhibit → silence → lifecycle
 *
 * Dispatch groups by key first; inhibit then pulls inhibited alerts into their cause's incident;
 * silence marks muted alerts at `now`; lifecycle derives tier, title, resolution and rings. What
 * rings is read with `notifications(state, now)` and consumed with `markSent` (or `flush`).
 */
export type PipelineInput =
  | { kind: 'alert'; alert: AlertInput }
  /** A batch (one webhook, one rule evaluation): dispatched in order, the later stages run once. */
  | { kind: 'alerts'; alerts: readonly AlertInput[] }
  | { kind: 'action'; incidentId: string; action: IncidentAction }
  | { kind: 'silence'; silence: Silence }
  | { kind: 'expire-silence'; silenceId: string }
  /** Time passed: silences end, snoozes run out, group waits come due. */
  | { kind: 'tick' };

export type Stage = (state: IncidentCoreState, input: PipelineInput, now: number) => IncidentCoreState;

export function dispatchStage(config: IncidentsConfig): Stage {
  return (state, input, now) => {
    if (input.kind === 'alert') return dispatch(state, input.alert, now, config.grouping).state;
    if (input.kind === 'alerts') return dispatchAll(state, input.alerts, now, config.grouping);
    return state;
  };
}

/**
 * Silence commands. The collector validates a silence (validateSilence) before it answers the
 * command; one that still fails here (raced with the clock) leaves the state as it was.
 */
export function silenceCommandStage(config: IncidentsConfig): Stage {
  return (state, input, now) => {
    if (input.kind === 'silence') {
      const r = addSilence(state.silences, input.silence, now, config.silences.maxDuration);
      return r.ok ? { ...state, silences: r.silences } : state;
    }
    if (input.kind === 'expire-silence') {
      const r = expireSilence(state.silences, input.silenceId, now);
      return r.ok ? { ...state, silences: r.silences } : state;
    }
    return state;
  };
}

export const actionStage: Stage = (state, input, now) =>
  input.kind === 'action' ? applyAction(state, input.incidentId, input.action, now).state : state;

export function inhibitStage(config: IncidentsConfig): Stage {
  return (state, _input, now) => applyInhibitions(state, config.inhibit.rules, now);
}

export const silenceStage: Stage = (state, _input, now) => applySilences(state, now);

export const lifecycleStage: Stage = (state, _input, now) => settleAll(state, now);

export function notifyPipeline(config: IncidentsConfig): Stage[] {
  return [
    dispatchStage(config),
    silenceCommandStage(config),
    actionStage,
    inhibitStage(config),
    silenceStage,
    lifecycleStage,
  ];
}

export function runPipeline(
  stages: readonly Stage[],
  state: IncidentCoreState,
  input: PipelineInput,
  now: number,
): IncidentCoreState {
  return stages.reduce((s, stage) => stage(s, input, now), state);
}

/** Due notifications at `now`, consumed: calling it again at the same `now` returns none. */
export function flush(
  state: IncidentCoreState,
  now: number,
): { state: IncidentCoreState; notifications: IncidentNotification[] } {
  const due = notifications(state, now);
  return { state: markSent(state, due), notifications: due };
}
