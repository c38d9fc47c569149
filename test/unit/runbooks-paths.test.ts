import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../electron/collector/args.js';
import { BUNDLED_RUNBOOKS_DIR, findBundledRunbooks } from '../../electron/collector/runbooks/paths.js';

/**
 * Issue 16 review (M1): the bundled runbooks are never searched for above the app root. An
 * AppImage is mounted under /tmp/.mount_*: a /tmp/package.json + /tmp/runbooks planted by another
 * local user must not be what on-call people follow. The desktop passes the dir explicitly.
 */
const fakeFs = (paths: string[]) => (p: string) => paths.includes(p);

describe('the bundled runbooks dir', () => {
  it('stops at the app root (the nearest package.json), even when it holds no runbooks/', () => {
    const app = '/tmp/.mount_VigilX1/resources/app.asar';
    const planted = fakeFs(['/tmp/package.json', '/tmp/runbooks', `${app}/package.json`]);
    expect(findBundledRunbooks(`${app}/out/main`, planted)).toBe(`${app}/runbooks`);
  });

  it('the checkout: the repo root runbooks/', () => {
    expect(findBundledRunbooks('/src/vigil/electron/collector/runbooks', fakeFs(['/src/vigil/package.json']))).toBe(
      '/src/vigil/runbooks',
    );
    expect(BUNDLED_RUNBOOKS_DIR).toBe(join(import.meta.dirname, '../../runbooks'));
  });

  it('no package.json anywhere: beside the built files, never a search of /', () => {
    expect(findBundledRunbooks('/opt/vigil/out/main', fakeFs(['/runbooks']))).toBe('/opt/runbooks');
  });

  it('the collector takes the dir from --bundled-runbooks', () => {
    const base = ['--port', '0', '--data-dir', '/d'];
    expect(parseCliArgs([...base, '--bundled-runbooks', '/res/runbooks']).bundledRunbooks).toBe('/res/runbooks');
    expect(parseCliArgs(base).bundledRunbooks).toBeUndefined();
    expect(() => parseCliArgs([...base, '--bundled-runbooks', ''])).toThrow(/--bundled-runbooks/);
  });
});
