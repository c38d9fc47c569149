import { z } from 'zod';
import { isScenarioName } from './scenarios.js';

/** Longer than any `on NAME` / `off NAME` a parent sends: anything longer is refused unread. */
export const SIM_CONTROL_MAX_LENGTH = 200;
const CONTROL_LINE = /^(on|off) (\S+)$/;

/**
 * One Demo-menu switch from the desktop app to a simulator running as an Electron utility
 * process (no stdin there): a `process.parentPort` message whose `data` is the control line
 * the simulator otherwise reads on stdin. Only scenario switches come this way.
 */
export const SimControlMessage = z.object({
  data: z
    .string()
    .max(SIM_CONTROL_MAX_LENGTH)
    .regex(CONTROL_LINE, 'expected "on NAME" or "off NAME"')
    .refine((line) => isScenarioName(CONTROL_LINE.exec(line)?.[2] ?? ''), 'unknown scenario'),
});
export type SimControlMessage = z.infer<typeof SimControlMessage>;
