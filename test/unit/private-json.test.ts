import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writePrivateFile } from '../../electron/main/services/settings/private-json.js';

/** Issue 16 review (L1): the temp file is created exclusively, never followed through a symlink. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('writePrivateFile', () => {
  it('does not write through a symlink planted at the temp name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-private-'));
    dirs.push(dir);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'untouched', { mode: 0o644 });
    const file = join(dir, 'settings.json');
    symlinkSync(victim, `${file}.tmp`);
    writePrivateFile(file, '{"a":1}\n');
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(statSync(victim).mode & 0o777).toBe(0o644);
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('replaces a stale temp file and an existing file, 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-private-'));
    dirs.push(dir);
    const file = join(dir, 'secrets.json');
    writeFileSync(`${file}.tmp`, 'stale', { mode: 0o666 });
    writeFileSync(file, 'old', { mode: 0o644 });
    writePrivateFile(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
