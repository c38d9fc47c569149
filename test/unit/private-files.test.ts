import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as m from '../../electron/node/private-files.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-private-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const mode = (p: string): number => statSync(p).mode & 0o7777;

// The collector's data dir and the desktop cache dir both use these (electron/node/).
describe('private files', () => {
  it('creates a missing dir, and its parents, 0700', () => {
    const dir = join(tmp(), 'a', 'b');
    expect(m.ensurePrivateDir(dir, ['token'])).toBeUndefined();
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, '..')) & 0o077).toBe(0);
  });

  it('tightens an existing dir that is ours: empty, or holding a marker file', () => {
    const empty = join(tmp(), 'empty');
    mkdirSync(empty, { mode: 0o755 });
    chmodSync(empty, 0o755);
    expect(m.ensurePrivateDir(empty, ['token'])).toBeUndefined();
    expect(mode(empty)).toBe(0o700);
    const old = join(tmp(), 'old');
    mkdirSync(old);
    chmodSync(old, 0o755);
    writeFileSync(join(old, 'token'), 'x');
    writeFileSync(join(old, 'other'), 'x');
    expect(m.ensurePrivateDir(old, ['token'])).toBeUndefined();
    expect(mode(old)).toBe(0o700);
  });

  it('leaves a shared dir alone (another program files, or the sticky bit of /tmp) and says so', () => {
    const shared = join(tmp(), 'home');
    mkdirSync(shared);
    chmodSync(shared, 0o755);
    writeFileSync(join(shared, '.bashrc'), 'x');
    expect(m.ensurePrivateDir(shared, ['token'])).toMatch(/home is readable by others \(mode 755\)/);
    expect(mode(shared)).toBe(0o755);
    const sticky = join(tmp(), 'tmp');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    expect(m.ensurePrivateDir(sticky, ['token'])).toMatch(/readable by others \(mode 777\)/);
    expect(mode(sticky)).toBe(0o1777);
  });

  it('creates a database file 0600 before SQLite does, and tightens its side files', () => {
    const dir = tmp();
    const db = join(dir, 'x.db');
    m.preparePrivateDatabase(db);
    expect(mode(db)).toBe(0o600);
    writeFileSync(`${db}-wal`, '');
    chmodSync(`${db}-wal`, 0o644);
    m.restrictDatabaseFiles(db);
    expect(mode(`${db}-wal`)).toBe(0o600);
    // In-memory databases have no file.
    m.preparePrivateDatabase(':memory:');
    m.preparePrivateDatabase('');
  });
});
