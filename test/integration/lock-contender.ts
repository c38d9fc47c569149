/**
 * One contender in the lock race of collector-lock.test.ts. For each round r it waits until
 * `goAt + r * spacing` (all contenders are started and warm by then, so they try within the same
 * millisecond or so), tries the lock of `<base>/<r>`, and prints `r held` or `r busy PID`. It
 * keeps every lock it took until its stdin closes, so a late contender cannot mistake an orderly
 * hand-over for a race.
 */
import { join } from 'node:path';
import { acquireDataDirLock, DataDirBusyError, type DataDirLock } from '../../electron/collector/data-dir-lock.js';

const [base = '', goAt = '0', rounds = '1', spacing = '100'] = process.argv.slice(2);
const held: DataDirLock[] = [];
const nap = new Int32Array(new SharedArrayBuffer(4));

function waitUntil(t: number): void {
  const ahead = t - Date.now() - 2;
  if (ahead > 0) Atomics.wait(nap, 0, 0, ahead);
  while (Date.now() < t) {
    // the last couple of ms: spin, a sleep would add its own jitter
  }
}

for (let r = 0; r < Number(rounds); r++) {
  waitUntil(Number(goAt) + r * Number(spacing));
  try {
    held.push(acquireDataDirLock(join(base, String(r))));
    process.stdout.write(`${r} held\n`);
  } catch (err) {
    const what = err instanceof DataDirBusyError ? `busy ${err.holder.pid}` : `error ${(err as Error).message}`;
    process.stdout.write(`${r} ${what}\n`);
  }
}
process.stdout.write('done\n');
process.stdin.on('end', () => {
  for (const l of held) l.release();
  process.exit(0);
});
process.stdin.resume();
