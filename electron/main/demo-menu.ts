import { SCENARIO_NAMES, SCENARIOS, isScenarioName } from '../../shared/sim/scenarios.js';
import type { DemoScenarioSwitch, DemoState } from '../../shared/protocol/settings.js';
import type { DemoSource } from './services/settings/sources.js';

/** The scenarios a simulator command line switches on (`--scenario NAME[:target]`). */
export function startedScenarios(args: readonly string[]): Set<string> {
  const on = new Set<string>();
  args.forEach((a, i) => {
    const name = a === '--scenario' ? args[i + 1]?.split(':')[0] : undefined;
    if (name !== undefined && isScenarioName(name)) on.add(name);
  });
  return on;
}

export interface ScenarioMenuOptions {
  /** The simulator's command line: the scenarios it starts with are shown on. */
  simulatorArgs: readonly string[];
  /** Whether a simulator is there to switch (otherwise the menu says it is unavailable). */
  running: () => boolean;
  /** Delivers one control line (`on NAME` / `off NAME`) to the simulator. */
  send: (line: string) => void;
}

export interface ScenarioMenu extends DemoSource {
  /** Turns a simulator scenario on or off and remembers it. */
  scenario(name: string, on: boolean): void;
  /**
   * A restarted simulator comes back with its command line's scenarios: switch it to what the
   * menu shows (call on every start after the first).
   */
  replay(): void;
}

/**
 * The Demo menu's state over one simulator, however it runs (a child_process or a supervised
 * utility process): every scenario and whether it is on, the started ones first, then as switched.
 */
export function scenarioMenu(opts: ScenarioMenuOptions): ScenarioMenu {
  const started = startedScenarios(opts.simulatorArgs);
  const active = new Set(started);
  const line = (name: string, on: boolean): string => `${on ? 'on' : 'off'} ${name}`;
  const scenario = (name: string, on: boolean): void => {
    opts.send(line(name, on));
    if (on) active.add(name);
    else active.delete(name);
  };
  const state = (): DemoState =>
    opts.running()
      ? {
          available: true,
          scenarios: SCENARIO_NAMES.map((name) => ({
            name,
            description: SCENARIOS[name].description,
            active: active.has(name),
          })),
        }
      : { available: false, reason: 'the demo simulator is not running', scenarios: [] };
  return {
    scenario,
    state,
    set(change: DemoScenarioSwitch) {
      scenario(change.name, change.on);
      return state();
    },
    replay() {
      for (const name of SCENARIO_NAMES) {
        if (active.has(name) !== started.has(name)) opts.send(line(name, active.has(name)));
      }
    },
  };
}
