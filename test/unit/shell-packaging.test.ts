import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

const ROOT = resolve(import.meta.dirname, '../..');
const builder = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  main: string;
};

describe('electron-builder.yml: fuses', () => {
  it('turns off RunAsNode, NODE_OPTIONS, --inspect and file:// privileges; on cookie encryption and ASAR integrity', () => {
    const fuses = z
      .object({
        runAsNode: z.boolean(),
        enableCookieEncryption: z.boolean(),
        enableNodeOptionsEnvironmentVariable: z.boolean(),
        enableNodeCliInspectArguments: z.boolean(),
        enableEmbeddedAsarIntegrityValidation: z.boolean(),
        onlyLoadAppFromAsar: z.boolean(),
        grantFileProtocolExtraPrivileges: z.boolean(),
      })
      .strict()
      .parse(builder.electronFuses);
    expect(fuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('nothing in the app still relies on ELECTRON_RUN_AS_NODE (the fuse would break it)', () => {
    const main = readFileSync(join(ROOT, 'electron/main/index.ts'), 'utf8');
    expect(main).not.toMatch(/ELECTRON_RUN_AS_NODE|bundledDemoCommands|startDemo\(/);
    expect(main).toMatch(/utilitySpawner\(utilityProcess\)/);
  });
});

describe('electron-builder.yml: packaging', () => {
  it('builds AppImage and deb, dmg, NSIS', () => {
    expect(builder.linux).toMatchObject({ target: ['AppImage', 'deb'] });
    expect(builder.mac).toMatchObject({ target: ['dmg'] });
    expect(builder.win).toMatchObject({ target: ['nsis'] });
  });

  it('unpacks native modules from the asar and ships runbooks as extra resources', () => {
    expect(builder.asarUnpack).toContain('**/node_modules/better-sqlite3/**');
    expect(builder.extraResources).toContainEqual({ from: 'runbooks', to: 'runbooks' });
    expect(builder.files).toEqual(expect.arrayContaining(['out/**', 'package.json', 'build/tray/**']));
  });

  it('never rebuilds native modules in the project (npm test under Node must survive `npm run dist`)', () => {
    expect(builder.npmRebuild).toBe(false);
    expect(builder.buildDependenciesFromSource).toBe(false);
    expect(builder.nodeGypRebuild).toBe(false);
    const scripts = Object.values(pkg.scripts).join('\n');
    expect(scripts).not.toMatch(/install-app-deps|electron-rebuild|@electron\/rebuild/);
    expect(pkg.scripts.postinstall).toBeUndefined();
    // better-sqlite3 is an N-API addon with prebuilds per platform: one binary for Node and Electron.
    const binding = readFileSync(join(ROOT, 'node_modules/better-sqlite3/binding.gyp'), 'utf8');
    expect(binding).toMatch(/NAPI_VERSION=/);
  });

  it('`npm run dist` builds then packages; main points at the built entry', () => {
    expect(pkg.scripts.dist).toBe('electron-vite build && electron-builder');
    expect(pkg.main).toBe('out/main/index.js');
  });
});

/** Width, height, colour type of a PNG (IHDR), after checking the signature. */
function pngHeader(file: string): { width: number; height: number; colorType: number } {
  const b = readFileSync(file);
  expect(b.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(b.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), colorType: b[25] ?? -1 };
}

describe('icons', () => {
  it('tray icons for each state, 16 px and @2x, with alpha', () => {
    for (const state of ['clear', 'open', 'ringing']) {
      expect(pngHeader(join(ROOT, `build/tray/${state}.png`))).toEqual({ width: 16, height: 16, colorType: 6 });
      expect(pngHeader(join(ROOT, `build/tray/${state}@2x.png`))).toEqual({ width: 32, height: 32, colorType: 6 });
    }
  });

  it('app icon at 512 px (mac/win) and the Linux size set', () => {
    expect(pngHeader(join(ROOT, 'build/icon.png'))).toMatchObject({ width: 512, height: 512 });
    for (const s of [16, 32, 48, 64, 128, 256, 512]) {
      expect(pngHeader(join(ROOT, `build/icons/${s}x${s}.png`))).toMatchObject({ width: s, height: s });
    }
  });
});
