import type { UtilityProcess } from 'electron';
import { lineSplitter, type Spawner } from './spawner.js';

/** The slice of Electron's `utilityProcess` module used here (passed in: no runtime import). */
export interface UtilityProcessModule {
  fork(
    modulePath: string,
    args?: string[],
    options?: Parameters<typeof import('electron').utilityProcess.fork>[2],
  ): UtilityProcess;
}

/**
 * Starts Node entry scripts as Electron utility processes: Node without ELECTRON_RUN_AS_NODE,
 * so the RunAsNode fuse stays off. A utility process has no stdin (Electron refuses one), so
 * `--exit-with-parent` must not be passed: Electron itself ends utility processes with the app.
 * On POSIX `kill()` sends SIGTERM, which the collector handles as a clean shutdown.
 */
export function utilitySpawner(utilityProcess: UtilityProcessModule): Spawner {
  return {
    spawn(spec) {
      const child = utilityProcess.fork(spec.modulePath, [...spec.args], {
        ...(spec.cwd ? { cwd: spec.cwd } : {}),
        env: (spec.env ?? process.env) as Record<string, string>,
        execArgv: [...(spec.execArgv ?? [])],
        stdio: 'pipe',
        serviceName: `Vigil ${spec.name}`,
      });
      const lineListeners: ((line: string) => void)[] = [];
      const split = lineSplitter((l) => {
        for (const f of lineListeners) f(l);
      });
      child.stdout?.on('data', split);
      child.stderr?.on('data', split);
      let exited = false;
      const exitListeners: ((code: number | null) => void)[] = [];
      child.on('exit', (code) => {
        if (exited) return;
        exited = true;
        for (const f of exitListeners) f(code);
      });
      return {
        get pid() {
          return child.pid;
        },
        onLine: (l) => void lineListeners.push(l),
        onExit: (l) => void exitListeners.push(l),
        kill: (force) => {
          if (exited) return false;
          // utilityProcess.kill() has no signal argument: a stuck child gets SIGKILL by pid.
          if (force && child.pid !== undefined) {
            try {
              process.kill(child.pid, 'SIGKILL');
              return true;
            } catch {
              return false;
            }
          }
          return child.kill();
        },
        send: (line) => {
          if (!exited) child.postMessage(line);
        },
      };
    },
  };
}
