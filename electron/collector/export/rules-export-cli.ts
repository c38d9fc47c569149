import { rulesExport } from './rules-export.js';

process.exitCode = rulesExport(
  process.argv.slice(2),
  (s) => process.stdout.write(s),
  (s) => process.stderr.write(s),
);
