/**
 * One contender in the lock race of collector-lock.test.ts: spins until the agreed instant (so
 * all start together), tries the data-dir lock, prints `held` or `busy PID`, holds it a while.
 */
import { acquireDataDirLock, DataDirBusyError } from '../../electron/collector/data-dir-lock.js';

const [dir = '', goAt = '0', holdMs = '1500'] = process.argv.slice(2);
while (Date.now() < Number(goAt)) {
  // busy-wait: a timer would add its own jitter
}
try {
  const lock = acquireDataDirLock(dir);
  process.stdout.write('held\n');
  setTimeout(() => {
    lock.release();
    process.exit(0);
  }, Number(holdMs));
} catch (err) {
  if (err instanceof DataDirBusyError) {
    process.stdout.write(`busy ${err.holder.pid}\n`);
    process.exit(2);
  }
  process.stdout.write(`error ${(err as Error).message}\n`);
  process.exit(1);
}
