import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/** The real `npm run rules:export` and Debian's real `promtool` (issue 17). */
const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'electron/collector/export/rules-export-cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'vigil-promtool-'));
const STEP_TIMEOUT_MS = 20_000;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exportRules(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    timeout: STEP_TIMEOUT_MS,
  });
  return stdout;
}

async function promtool(text: string, name: string): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, text);
  const { stdout } = await run('promtool', ['check', 'rules', file], { timeout: STEP_TIMEOUT_MS });
  return stdout;
}

describe('rules:export passes promtool check rules', () => {
  it('with the default config', async () => {
    const out = await promtool(await exportRules(['--format', 'prometheus']), 'default.yml');
    expect(out).toMatch(/SUCCESS: 10 rules found/);
  });

  it('with a config of custom thresholds, SLOs (quoted names) and regex-special error types', async () => {
    const cfg = join(dir, 'vigil.yaml');
    writeFileSync(
      cfg,
      [
        'prometheus: {runbookBaseUrl: "https://vigil.example.org/v1/runbooks"}',
        'rules:',
        '  errorRate: {threshold: 0.02, window: 90s, for: 3m, tier: ticket}',
        '  latencyP95: {slo: [{service: "chat \\"eu\\"", model: gpt-4o, p95: 1500ms}, {p95: 4s}]}',
        '  providerDown: {errorTypes: ["a.b", "c|d", "x\\\\y"]}',
        '  costAnomaly: {enabled: false}',
        '',
      ].join('\n'),
    );
    const text = await exportRules(['--format', 'prometheus', '--config', cfg]);
    expect(text).toContain('rate1m30s > 0.02');
    expect(text).toContain('https://vigil.example.org/v1/runbooks/error-rate');
    const out = await promtool(text, 'custom.yml');
    expect(out).toMatch(/SUCCESS: 10 rules found/);
  });

  it('a bad config exits 2 with the path named and prints no rules', async () => {
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'rules: {errorRate: {threshold: 2}}\n');
    const err = await exportRules(['--format', 'prometheus', '--config', cfg]).then(
      () => undefined,
      (e: { code?: number; stdout?: string; stderr?: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stdout).toBe('');
    expect(err?.stderr).toContain('rules.errorRate.threshold');
  });
});
