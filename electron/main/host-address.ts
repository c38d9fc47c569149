import { join } from 'node:path';
import { z } from 'zod';
import { MIN_TOKEN_LENGTH } from '../../shared/config/token.js';
import { readIfExists, writePrivateFile } from './services/settings/private-json.js';
import { silentLogger, type Logger } from './services/index.js';

/**
 * The headless host's address from the last run (issue 16): `npm run web` reuses its port and
 * bridge token, so an open tab reconnects after a restart instead of dying. Kept in the data
 * dir as host.json, 0600 (the token is as good as the desktop's Api).
 */
export const HOST_ADDRESS_FILE = 'host.json';
const HostAddress = z.strictObject({
  port: z.number().int().min(1).max(65_535),
  token: z
    .string()
    .min(MIN_TOKEN_LENGTH)
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/),
});
export type HostAddress = z.infer<typeof HostAddress>;

export function loadHostAddress(dataDir: string, log: Logger = silentLogger): HostAddress | undefined {
  const file = join(dataDir, HOST_ADDRESS_FILE);
  try {
    const text = readIfExists(file);
    return text === undefined ? undefined : HostAddress.parse(JSON.parse(text));
  } catch (err) {
    log.warn(`${file} is not valid (${err instanceof Error ? err.message : String(err)}): a new address this run`);
    return undefined;
  }
}

export function saveHostAddress(dataDir: string, address: HostAddress): void {
  writePrivateFile(join(dataDir, HOST_ADDRESS_FILE), `${JSON.stringify(address)}\n`);
}

/** The port to ask for: `--port` when given, else last run's, else any free one (0). */
export function choosePort(flag: number | undefined, last: HostAddress | undefined): number {
  return flag ?? last?.port ?? 0;
}

/** Whether listening failed because the port is taken (then the host falls back to a fresh one). */
export function isAddressInUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}
