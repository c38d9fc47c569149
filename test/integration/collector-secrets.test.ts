import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomToken, startCollector } from '../fixtures/collector.js';
import { cmdline, until } from './process-tree.js';
import { killAllCli, spawnCli } from './collector-cli-run.js';

/**
 * The collector's own secrets (issue 11): the token reaches it through the environment or a file,
 * never argv, and it does not pass it on to the commands it runs; its data dir and files are
 * private even when an older version (or a careless copy) left them readable by others.
 */
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-secrets-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  await killAllCli();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('collector secrets', () => {
  it('takes VIGIL_TOKEN from its environment and keeps it from the eval jobs it runs', async () => {
    const token = randomToken();
    const dir = tempDir();
    const seen = join(dir, 'job-saw');
    const c = await startCollector({
      token,
      configYaml: [
        'evals:',
        '  jobs:',
        '    - suite: leak-check',
        `      command: 'echo "token=\${VIGIL_TOKEN:-none}" > ${seen}'`,
        '      schedule: 1s',
        '',
      ].join('\n'),
    });
    try {
      expect(cmdline(c.pid as number)).not.toContain(token);
      const ok = await fetch(`${c.url}/v1/stats`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      const bad = await fetch(`${c.url}/v1/stats`, { headers: { authorization: `Bearer ${randomToken()}` } });
      expect(bad.status).toBe(401);
      await until('the eval job to run', () => existsSync(seen), 20_000);
      expect(readFileSync(seen, 'utf8').trim()).toBe('token=none');
    } finally {
      await c.stop();
    }
  });

  it('reads --token-file, and refuses an unreadable or short one with exit 2', async () => {
    const dir = tempDir();
    const file = join(dir, 'team-token');
    const token = randomToken();
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    const run = spawnCli(['--port', '0', '--data-dir', join(dir, 'data'), '--token-file', file]);
    try {
      expect(await run.outcome).toBe('listening');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())?.[1] ?? '';
      const res = await fetch(`${url}/v1/stats`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(cmdline(run.proc.pid as number)).not.toContain(token);
    } finally {
      await run.stop();
    }
    const missing = spawnCli(['--port', '0', '--data-dir', join(dir, 'd2'), '--token-file', join(dir, 'nope')]);
    expect(await missing.outcome).toBe(2);
    expect(missing.output()).toContain('--token-file: cannot read');
    writeFileSync(join(dir, 'short'), 'abc\n');
    const short = spawnCli(['--port', '0', '--data-dir', join(dir, 'd3'), '--token-file', join(dir, 'short')]);
    expect(await short.outcome).toBe(2);
    expect(short.output()).toContain('holds no usable token');
  });

  it('makes an existing data dir and files from an older version private on start', async () => {
    const dir = tempDir();
    const first = await startCollector({ dataDir: dir });
    await first.stop();
    chmodSync(dir, 0o755);
    for (const f of ['token', 'collector.db']) chmodSync(join(dir, f), 0o644);
    const again = await startCollector({ dataDir: dir });
    try {
      expect(mode(dir)).toBe('700');
      for (const f of ['token', 'collector.db', 'collector.db-wal', 'collector.db-shm', 'collector.lock']) {
        expect(mode(join(dir, f)), f).toBe('600');
      }
    } finally {
      await again.stop();
    }
  });
});
