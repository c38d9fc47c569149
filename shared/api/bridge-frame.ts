import { z } from 'zod';
import { BridgeRequest } from '../protocol/api.js';

/**
 * A `call` frame as the headless host first reads it: the envelope only. The call inside is left
 * to main's `dispatchApiCall`, which checks it against the method table exactly as it checks an
 * IPC call, so both transports answer the same bad call with the same coded failure.
 */
export const BridgeCallFrame = BridgeRequest.extend({ call: z.unknown() });
export type BridgeCallFrame = z.infer<typeof BridgeCallFrame>;
