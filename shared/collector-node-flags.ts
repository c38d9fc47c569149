/**
 * Node/V8 flags every launcher of the collector passes (npm run collector, the desktop demo, the
 * test fixture). Why: under sustained ingest V8 grows the young generation to its default
 * maximum, which scales with the machine's RAM (64 MB semi-spaces = 128 MB of new space on a
 * 16 GB machine) — alone half the collector's 250 MB RSS budget, all of it short-lived batch
 * garbage. 16 MB semi-spaces cost no measurable ingest throughput (bench/ingest.ts) and keep RSS
 * ~165 MB after millions of events (bench/rss.ts).
 */
export const COLLECTOR_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16'];
