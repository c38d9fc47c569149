/**
 * stdin control: one command per line, one reply line per change, so a parent process (the
 * desktop app's demo mode) can drive scenarios and read back what happened.
 */
import { SCENARIO_NAMES, formatTarget, isScenarioName } from '../../../shared/sim/index.js';
import type { Traffic } from '../../../shared/sim/index.js';
import { parseScenarioSpec } from './scenario-spec.js';

export interface CommandContext {
  traffic: Traffic;
  /** Current simulated time: a scenario switched on now applies from here. */
  simNow(): number;
  statusLine(): string;
}

export const COMMAND_HELP =
  'commands: on NAME [service=|provider=|model=|suite=VALUE ...] | off NAME | list | status | help';

/** Applies one line; returns the lines to print (empty for a blank line). */
export function handleCommand(line: string, ctx: CommandContext): string[] {
  const text = line.trim();
  if (text === '') return [];
  const [verb = '', ...rest] = text.split(/\s+/);
  const arg = rest.join(' ');
  switch (verb.toLowerCase()) {
    case 'on': {
      const parsed = parseScenarioSpec(arg);
      if (!parsed.ok) return [`error: ${parsed.message}`];
      const { name, target } = parsed.spec;
      const since = ctx.simNow();
      ctx.traffic.setScenario(name, true, { ...(target ? { target } : {}), since });
      const a = ctx.traffic.active().find((s) => s.name === name);
      return [`scenario ${name} on (${formatTarget(a?.target ?? {})}) since ${new Date(since).toISOString()}`];
    }
    case 'off': {
      const name = arg.trim();
      if (!isScenarioName(name)) return [`error: unknown scenario '${name}' (known: ${SCENARIO_NAMES.join(', ')})`];
      const was = ctx.traffic.active().some((s) => s.name === name);
      ctx.traffic.setScenario(name, false);
      return [was ? `scenario ${name} off` : `scenario ${name} was not on`];
    }
    case 'list':
      return ctx.traffic
        .list()
        .map((s) => `${s.active ? '[on] ' : '[off]'} ${s.name} (${formatTarget(s.target)}): ${s.description}`);
    case 'status':
      return [ctx.statusLine()];
    case 'help':
      return [COMMAND_HELP];
    default:
      return [`error: unknown command '${verb}'; ${COMMAND_HELP}`];
  }
}
