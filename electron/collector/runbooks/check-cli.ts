import { resolve } from 'node:path';
import { checkLibrary, formatProblem } from '../../../shared/runbooks/check.js';
import { readRunbookFiles } from './load.js';
import { BUNDLED_RUNBOOKS_DIR } from './paths.js';

/**
 * `npm run runbooks:check [DIR]`: validates every runbook in DIR (default: the bundled
 * runbooks/ folder) and the catalog coverage. Prints `file:line: problem`; exits 1 on any.
 */
const dir = resolve(process.argv[2] ?? BUNDLED_RUNBOOKS_DIR);
const files = readRunbookFiles(dir);
const { runbooks, problems } = checkLibrary(files);
for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
if (problems.length > 0) {
  process.stderr.write(`runbooks:check: ${problems.length} problem(s) in ${dir}\n`);
  process.exitCode = 1;
} else {
  const steps = runbooks.reduce((n, r) => n + r.parsed.steps.length, 0);
  process.stdout.write(`runbooks:check: ${runbooks.length} runbooks, ${steps} steps, all good\n`);
}
