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

/**
 * `npm run bench`: prints figures; asserts nothing. `--quick` for a short run; `--only=inbox,paging`
 * runs the named benches alone (names: ingest, sync, runbooks, paging, sketch, detection,
 * detection-levels, quiet-month, charts, chart-draw, inbox, rss).
 */
const quick = process.argv.includes('--quick');
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = onlyArg === undefined ? undefined : new Set(onlyArg.split(','));
const BENCHES = [
  'ingest',
  'sync',
  'runbooks',
  'paging',
  'sketch',
  'detection',
  'detection-levels',
  'quiet-month',
  'charts',
  'chart-draw',
  'inbox',
  'rss',
];
const unknown = [...(only ?? [])].filter((n) => !BENCHES.includes(n));
if (unknown.length > 0)
  throw new Error(`--only: no bench named ${unknown.join(', ')} (benches: ${BENCHES.join(', ')})`);
const runs = (name: string): boolean => only === undefined || only.has(name);

if (runs('ingest')) await benchIngest({ batches: quick ? 50 : 300 });
if (runs('sync')) await benchSync({ rounds: quick ? 20 : 100, catchUpRuns: quick ? 1 : 3 });
if (runs('runbooks')) await benchRunbooks({ runbooks: 2_000, queries: quick ? 300 : 2_000 });
if (runs('paging')) await benchPaging({ pages: quick ? 200 : 1_000, spawns: quick ? 5 : 20 });
if (runs('sketch')) benchSketch({ samples: quick ? 200_000 : 1_000_000 });
if (runs('detection')) benchDetection();
if (runs('detection-levels')) benchDetectionLevels();
if (runs('quiet-month')) benchQuietMonth(quick ? 7 : 30);
if (runs('charts')) await benchCharts({ rounds: quick ? 10 : 40 });
if (runs('chart-draw')) await benchChartDraw({ runs: quick ? 5 : 20 });
if (runs('inbox')) await benchInbox({ incidents: 10_000, members: 500, runs: quick ? 3 : 7 });
if (runs('rss')) await benchRss({ events: quick ? 500_000 : 5_000_000, maxSeconds: quick ? 60 : 400 });
