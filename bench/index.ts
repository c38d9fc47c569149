import { benchIngest } from './ingest.js';

/** `npm run bench`: prints figures; asserts nothing. `--quick` for a short run. */
const quick = process.argv.includes('--quick');

await benchIngest({ batches: quick ? 50 : 300 });
