import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../node/private-files.js';
import { MIN_TOKEN_LENGTH } from '../node/tokens.js';

/** The collector's own token file. The helpers every process shares (names, minimum length, reading) are in electron/node/tokens.ts. */

/** Reads `<dataDir>/token`, creating a random one (mode 0600) on first start. */
export function loadOrCreateToken(dataDir: string): string {
  const file = join(dataDir, 'token');
  if (existsSync(file)) {
    // A token file from an older version (or a careless copy) may be readable by others.
    chmodSync(file, PRIVATE_FILE_MODE);
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= MIN_TOKEN_LENGTH) return token;
    throw new Error(
      `${file} holds no usable token (need at least ${MIN_TOKEN_LENGTH} characters); delete it to get a new one`,
    );
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token + '\n', { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  chmodSync(file, PRIVATE_FILE_MODE);
  return token;
}
