import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunbookDoc, RunbookListBody } from '../../shared/runbooks/schema.js';
import { startCollector, type CollectorHandle } from '../fixtures/collector.js';

/** The real collector serving a temp copy of the bundled runbooks (config `runbooks.dir`). */
const BUNDLED = resolve(import.meta.dirname, '../../runbooks');
let dir: string;
let collector: CollectorHandle;

const get = async (path: string, token: string | null = collector.token) => {
  const res = await fetch(`${collector.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, body: (await res.json()) as unknown };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-runbooks-'));
  cpSync(BUNDLED, dir, { recursive: true });
  collector = await startCollector({ configYaml: `runbooks:\n  dir: ${JSON.stringify(dir)}\n  rescanAfter: 0s\n` });
});

afterAll(async () => {
  await collector?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /v1/runbooks', () => {
  it('needs the token', async () => {
    const r = await get('/v1/runbooks', null);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await get('/v1/runbooks/error-rate', 'wrong-token-wrong-token')).status).toBe(401);
  });

  it('lists every bundled runbook with a content version, and no invalid ones', async () => {
    const r = await get('/v1/runbooks');
    expect(r.status).toBe(200);
    const body = RunbookListBody.parse(r.body);
    expect(body.invalid).toEqual([]);
    const ids = body.runbooks.map((b) => b.id);
    expect(ids).toContain('error-rate');
    expect(ids).toContain('postmortem');
    expect(ids).not.toContain('readme');
    const er = body.runbooks.find((b) => b.id === 'error-rate');
    expect(er).toMatchObject({ tier: 'page', serves: expect.arrayContaining(['error-rate']) });
    expect(er?.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('serves one runbook with markdown and its parsed tree', async () => {
    const r = await get('/v1/runbooks/error-rate');
    expect(r.status).toBe(200);
    const doc = RunbookDoc.parse(r.body);
    expect(doc.markdown).toBe(readFileSync(join(dir, 'error-rate.md'), 'utf8'));
    expect(doc.tree.steps[0]?.id).toBe('1');
    expect(doc.tree.steps[0]?.branches.length).toBeGreaterThan(1);
  });

  it('answers 404 for an unknown id and 400 for a malformed one, naming the field', async () => {
    expect(await get('/v1/runbooks/no-such-runbook')).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'no runbook "no-such-runbook"' } },
    });
    const bad = await get('/v1/runbooks/..%2Fsecret');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_field', field: 'id' } });
    const post = await fetch(`${collector.url}/v1/runbooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collector.token}` },
      body: '{}',
    });
    expect(post.status).toBe(405);
  });

  it('changes the content version when a file is edited, and lists broken files instead of serving them', async () => {
    const before = RunbookListBody.parse((await get('/v1/runbooks')).body).runbooks.find(
      (b) => b.id === 'novel-error',
    )?.version;
    const file = join(dir, 'novel-error.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Not a page:', 'Not a page (edited):'));
    // mtime resolution can be coarse: move it forward so the rescan sees the change.
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    writeFileSync(join(dir, 'broken.md'), '---\nid: broken\n---\n## 1. A\n\n- Go → step 9\n');
    const after = RunbookListBody.parse((await get('/v1/runbooks')).body);
    const version = after.runbooks.find((b) => b.id === 'novel-error')?.version;
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(version).not.toBe(before);
    expect(after.runbooks.map((b) => b.id)).not.toContain('broken');
    const broken = after.invalid.find((i) => i.file === 'broken.md');
    expect(broken?.problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^frontmatter title:/),
        'step 1 branches to step 9, which does not exist',
      ]),
    );
    expect((await get('/v1/runbooks/broken')).status).toBe(404);
    expect(collector.output()).toMatch(/runbooks: broken\.md:6: step 1 branches to step 9/);
  });
});
