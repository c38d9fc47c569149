import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RunbookSource } from '../../../shared/runbooks/check.js';

/** Not a runbook: the syntax documentation that lives in the same folder. */
export const README = 'readme.md';

export interface RunbookFile extends RunbookSource {
  mtimeMs: number;
  size: number;
}

/** The `.md` files of a runbooks folder (not recursive, README skipped), sorted by name. */
export function listRunbookFiles(dir: string): { name: string; path: string; mtimeMs: number; size: number }[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.md') && d.name.toLowerCase() !== README)
    .map((d) => {
      const path = join(dir, d.name);
      const st = statSync(path);
      return { name: d.name, path, mtimeMs: st.mtimeMs, size: st.size };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function readRunbookFiles(dir: string, cwd = process.cwd()): RunbookFile[] {
  return listRunbookFiles(dir).map((f) => ({
    file: relative(cwd, f.path) || f.path,
    name: f.name,
    text: readFileSync(f.path, 'utf8'),
    mtimeMs: f.mtimeMs,
    size: f.size,
  }));
}
