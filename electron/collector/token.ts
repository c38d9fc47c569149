import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads `<dataDir>/token`, creating a random one (mode 0600) on first start. */
export function loadOrCreateToken(dataDir: string): string {
  const file = join(dataDir, 'token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return token;
    throw new Error(`${file} holds no usable token (need at least 16 characters); delete it to get a new one`);
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return token;
}
