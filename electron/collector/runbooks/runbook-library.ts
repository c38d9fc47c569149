import { createHash } from 'node:crypto';
import type { Clock } from '../../../shared/clock.js';
import { checkLibrary, formatProblem } from '../../../shared/runbooks/check.js';
import { toTree } from '../../../shared/runbooks/parse.js';
import type { RunbookDoc, RunbookListBody } from '../../../shared/runbooks/schema.js';
import { listRunbookFiles, readRunbookFiles } from './load.js';

export interface RunbookLibraryOptions {
  dir: string;
  clock: Clock;
  /** Requests within this long of the last scan reuse it; afterwards the folder is stat'ed again. */
  rescanAfterMs: number;
  log: (msg: string) => void;
}

/**
 * The team's runbooks as the collector serves them. The folder is re-stat'ed on request (at
 * most every `rescanAfterMs`) and re-read only when a file's name, size or mtime changed, so an
 * edit shows up with a new content version without a restart. Files that fail the check are
 * logged and listed with their problems, never served.
 */
export class RunbookLibrary {
  private signature = '';
  private scannedAt = Number.NEGATIVE_INFINITY;
  private docs = new Map<string, RunbookDoc>();
  private invalid: RunbookListBody['invalid'] = [];

  constructor(private readonly opts: RunbookLibraryOptions) {}

  list(): RunbookListBody {
    this.refresh();
    const runbooks = [...this.docs.values()].map(({ id, title, tier, serves, version }) => ({ id, title, tier, serves, version }));
    return { runbooks, invalid: this.invalid };
  }

  get(id: string): RunbookDoc | null {
    this.refresh();
    return this.docs.get(id) ?? null;
  }

  /** Re-reads the folder if anything in it changed; `force` skips the time throttle. */
  refresh(force = false): void {
    const now = this.opts.clock.now();
    if (!force && now - this.scannedAt < this.opts.rescanAfterMs) return;
    this.scannedAt = now;
    let signature: string;
    try {
      signature = listRunbookFiles(this.opts.dir)
        .map((f) => `${f.name}:${f.size}:${f.mtimeMs}`)
        .join('|');
    } catch (err) {
      if (this.signature !== 'unreadable') this.opts.log(`runbooks: cannot read ${this.opts.dir}: ${(err as Error).message}`);
      this.signature = 'unreadable';
      this.docs = new Map();
      this.invalid = [];
      return;
    }
    if (signature === this.signature) return;
    this.signature = signature;
    this.load();
  }

  private load(): void {
    const { runbooks } = checkLibrary(readRunbookFiles(this.opts.dir, this.opts.dir), null);
    const docs = new Map<string, RunbookDoc>();
    const invalid: RunbookListBody['invalid'] = [];
    for (const r of runbooks) {
      const meta = r.parsed.meta;
      if (r.problems.length > 0 || !meta) {
        for (const p of r.problems) this.opts.log(`runbooks: ${formatProblem(p)}`);
        invalid.push({ file: r.source.name, problems: r.problems });
        continue;
      }
      docs.set(meta.id, {
        id: meta.id,
        title: meta.title,
        tier: meta.tier,
        serves: meta.serves,
        version: createHash('sha256').update(r.source.text).digest('hex').slice(0, 16),
        meta,
        markdown: r.source.text,
        tree: toTree(r.parsed),
      });
    }
    this.docs = docs;
    this.invalid = invalid;
    this.opts.log(`runbooks: ${docs.size} served from ${this.opts.dir}${invalid.length ? `, ${invalid.length} invalid` : ''}`);
  }
}
