import { benchCharts } from './charts.js';
import { benchChartDraw } from './charts-draw.js';
import { benchDetection } from './detection.js';
import { benchDetectionLevels, benchQuietMonth } from './detection-fleet.js';
import { benchInbox } from './inbox.js';
import { benchIngest } from './ingest.js';
import { benchRss } from './rss.js';
import { benchSketch } from './sketch.js';
import { benchPaging } from './paging.js';
import { benchRunbooks } from './runbooks.js';
import { benchSync } from './sync.js';

/** `npm run bench`: prints figures; asserts nothing. `--quick` for a short run. */
const quick = process.argv.includes('--quick');

await benchIngest({ batches: quick ? 50 : 300 });
await benchSync({ rounds: quick ? 20 : 100, catchUpRuns: quick ? 1 : 3 });
await benchRunbooks({ runbooks: 2_000, queries: quick ? 300 : 2_000 });
await benchPaging({ pages: quick ? 200 : 1_000, spawns: quick ? 5 : 20 });
benchSketch({ samples: quick ? 200_000 : 1_000_000 });
benchDetection();
benchDetectionLevels();
benchQuietMonth(quick ? 7 : 30);
await benchCharts({ rounds: quick ? 10 : 40 });
await benchChartDraw({ runs: quick ? 5 : 20 });
await benchInbox({ incidents: 10_000, members: 500, runs: quick ? 3 : 7 });
await benchRss({ events: quick ? 500_000 : 5_000_000, maxSeconds: quick ? 60 : 400 });
