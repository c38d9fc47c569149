import { spawn } from 'node:child_process';
import type { Clock } from '../../../shared/clock.js';
import type { Alert } from '../../../shared/protocol/alert.js';
import type { RemediationAction } from '../../../shared/rules/config.js';
import type { AlertService } from '../alerts/alert-service.js';

export interface ActionResult {
  ok: boolean;
  /** "HTTP 200", "exit 0", "timed out after 10000 ms", "ECONNREFUSED"… */
  detail: string;
  durationMs: number;
}

/** Output kept in the timeline note, so a chatty command cannot bloat the log. */
const MAX_OUTPUT = 500;

/**
 * Auto-remediation: runs a rule's action when its alert fires — an HTTP webhook (the alert JSON
 * as the body) or a command (the alert JSON on stdin, no shell) — with a timeout, and records
 * `action-started` / `action-finished` (with the result) on the alert's timeline. Runs after the
 * alert is committed; never blocks ingest.
 */
export class RemediationRunner {
  private readonly inFlight = new Set<Promise<void>>();
  private disposed = false;

  constructor(
    private readonly alerts: AlertService,
    private readonly clock: Clock,
    private readonly log: (msg: string) => void,
  ) {}

  run(alert: Alert, action: RemediationAction): void {
    if (this.disposed) return;
    const what = 'webhook' in action ? `${action.webhook.method} ${action.webhook.url}` : action.command.join(' ');
    this.alerts.annotate(alert.id, 'action-started', this.clock.now(), `remediation: ${what}`);
    const started = this.clock.now();
    const p = this.execute(alert, action)
      .catch((err: unknown): ActionResult => ({
        ok: false,
        detail: (err as Error).message,
        durationMs: this.clock.now() - started,
      }))
      .then((r) => {
        if (this.disposed) return;
        this.alerts.annotate(
          alert.id,
          'action-finished',
          this.clock.now(),
          `remediation ${r.ok ? 'succeeded' : 'failed'}: ${r.detail} (${Math.round(r.durationMs)} ms)`,
        );
      })
      .catch((err: unknown) => this.log(`recording remediation result failed: ${String(err)}`))
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Resolves when every running action has finished and been recorded (tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async dispose(): Promise<void> {
    await this.idle();
    this.disposed = true;
  }

  private async execute(alert: Alert, action: RemediationAction): Promise<ActionResult> {
    const started = this.clock.now();
    const body = JSON.stringify(alert);
    if ('webhook' in action) {
      const res = await fetch(action.webhook.url, {
        method: action.webhook.method,
        headers: { 'content-type': 'application/json', ...action.webhook.headers },
        body,
        signal: AbortSignal.timeout(action.timeout),
      }).catch((err: unknown) => {
        const e = err as Error;
        throw new Error(
          e.name === 'TimeoutError'
            ? `timed out after ${action.timeout} ms`
            : ((e.cause as Error | undefined)?.message ?? e.message),
        );
      });
      const text = (await res.text()).slice(0, MAX_OUTPUT);
      return {
        ok: res.ok,
        detail: `HTTP ${res.status}${text ? ` ${text}` : ''}`,
        durationMs: this.clock.now() - started,
      };
    }
    return await new Promise<ActionResult>((resolve) => {
      const [cmd, ...args] = action.command;
      const child = spawn(cmd ?? '', args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, action.timeout);
      const take = (c: Buffer): void => {
        if (out.length < MAX_OUTPUT) out += c.toString('utf8');
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.stdin.on('error', () => undefined); // the command may not read stdin
      child.stdin.end(body);
      child.once('error', (err) => {
        clearTimeout(timer);
        resolve({ ok: false, detail: err.message, durationMs: this.clock.now() - started });
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        const tail = out.trim().slice(0, MAX_OUTPUT);
        const detail = timedOut
          ? `timed out after ${action.timeout} ms`
          : code !== null
            ? `exit ${code}`
            : `killed by ${signal ?? 'signal'}`;
        resolve({
          ok: !timedOut && code === 0,
          detail: tail ? `${detail}: ${tail}` : detail,
          durationMs: this.clock.now() - started,
        });
      });
    });
  }
}
