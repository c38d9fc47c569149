import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The bundled runbooks/ folder when nobody said where it is (`--bundled-runbooks`, `runbooks.dir`):
 * the runbooks/ next to the APP ROOT, the nearest folder up from this file that holds package.json
 * (the checkout under tsx, out/'s package, app.asar). The walk never goes above that root: an
 * AppImage is mounted under /tmp/.mount_*, and a /tmp/package.json + /tmp/runbooks planted by
 * another local user must not become the runbooks on-call people follow. The packaged desktop
 * passes its resources dir explicitly (its runbooks are outside app.asar).
 */
export function findBundledRunbooks(from: string, exists: (path: string) => boolean = existsSync): string {
  let dir = resolve(from);
  for (;;) {
    if (exists(join(dir, 'package.json'))) return join(dir, 'runbooks');
    const up = dirname(dir);
    if (up === dir) return resolve(from, '../../../runbooks');
    dir = up;
  }
}

export const BUNDLED_RUNBOOKS_DIR = findBundledRunbooks(import.meta.dirname);
