import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The bundled runbooks/ folder: found by walking up from this file to the folder holding
 * package.json, so it works from the source tree (tsx) and from a packaged app's resources.
 */
function findBundled(): string {
  let dir = resolve(import.meta.dirname);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'runbooks'))) return join(dir, 'runbooks');
    const up = dirname(dir);
    if (up === dir) return resolve(import.meta.dirname, '../../../runbooks');
    dir = up;
  }
}

export const BUNDLED_RUNBOOKS_DIR = findBundled();
