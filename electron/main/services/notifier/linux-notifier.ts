import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Listeners, silentLogger, type Logger } from '../runtime.js';
import { escapeMarkup } from './markup.js';
import { ACK_ACTION, type DesktopNotification, type Notifier, type NotifyResult } from './notifier.js';

/** The action key notify-send prints on stdout when "Acknowledge" is pressed. */
const ACK_KEY = 'ack';
/** Incidents whose notification id is remembered (to replace it when the incident rings again). */
const MAX_REMEMBERED = 500;
/** How long the quiet "Acknowledged by …" that replaces a page stays up. */
const WITHDRAWN_SHOWN_MS = 3_000;

const actionSupport = new Map<string, boolean>();

/**
 * Whether this notify-send can offer actions (`-A`, libnotify ≥ 0.7.10; it then waits for the
 * person and prints the pressed action's key) and `stdbuf` is there to line-buffer it: into a
 * pipe, notify-send's stdout is block-buffered, so its id would only arrive when it exits.
 * Asked once per process and command.
 */
export function notifySendHasActions(command = 'notify-send'): boolean {
  let yes = actionSupport.get(command);
  if (yes === undefined) {
    const help = spawnSync(command, ['--help'], { encoding: 'utf8', timeout: 2_000 });
    const stdbuf = spawnSync('stdbuf', ['--version'], { encoding: 'utf8', timeout: 2_000 });
    yes = help.status === 0 && /--action/.test(help.stdout) && stdbuf.status === 0;
    actionSupport.set(command, yes);
  }
  return yes;
}

/**
 * Linux notifications straight through notify-send, with what node-notifier's wrapper leaves out:
 * an "Acknowledge" button on pages (the key comes back on notify-send's stdout; the page is
 * acknowledged like one from the app) and one notification per incident, replaced when it
 * rings again (`-p` prints its id, `-r` replaces it) instead of a stack of identical ones.
 * Arguments go to the binary as an array: nothing passes through a shell.
 */
export class LinuxNotifier implements Notifier {
  private readonly acks = new Listeners<string>();
  /** Per incident: the daemon's notification id, and the notify-send still waiting for a button. */
  private readonly shown = new Map<string, { id?: number; waiting?: ChildProcess }>();

  constructor(
    private readonly log: Logger = silentLogger,
    private readonly command = 'notify-send',
  ) {}

  onAcknowledge(listener: (id: string) => void): () => void {
    return this.acks.on(listener);
  }

  notify(n: DesktopNotification): Promise<NotifyResult> {
    const entry = this.shown.get(n.id) ?? {};
    // Most recently notified last; past the bound the oldest is forgotten (its notification stays,
    // its button no longer answers).
    this.shown.delete(n.id);
    this.shown.set(n.id, entry);
    if (this.shown.size > MAX_REMEMBERED) {
      const [oldest] = this.shown.keys();
      if (oldest !== undefined && oldest !== n.id) {
        this.shown.get(oldest)?.waiting?.kill();
        this.shown.delete(oldest);
      }
    }
    // The previous ring's process is waiting on the notification we are about to replace.
    entry.waiting?.kill();
    entry.waiting = undefined;
    const args = [
      '--app-name=Vigil',
      `--urgency=${n.loud ? 'critical' : 'normal'}`,
      // Critical stays until dismissed; a ticket goes after 10 s.
      `--expire-time=${n.loud ? 0 : 10_000}`,
      `--category=${n.loud ? 'vigil.page' : 'vigil.ticket'}`,
      '--print-id',
      ...(entry.id !== undefined ? [`--replace-id=${entry.id}`] : []),
      ...(n.acknowledgeAction ? [`--action=${ACK_KEY}=${ACK_ACTION}`] : []),
      '--',
      n.title,
      escapeMarkup(n.body),
    ];
    return new Promise((resolve) => {
      let settled = false;
      const settle = (r: NotifyResult): void => {
        if (!settled) {
          settled = true;
          resolve(r);
        }
      };
      let child: ChildProcess;
      try {
        // Line-buffered (see notifySendHasActions): the id must come out before the person reacts.
        child = spawn('stdbuf', ['-oL', this.command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        settle({ ok: false, retry: false, error: String(err) });
        return;
      }
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        const text = line.trim();
        if (/^\d+$/.test(text)) entry.id = Number(text);
        else if (text === ACK_KEY) this.acks.emit(n.id, this.log);
        // The id comes first: the notification is up.
        settle({ ok: true });
      });
      if (n.acknowledgeAction) entry.waiting = child;
      child.once('error', (err: NodeJS.ErrnoException) => {
        settle({ ok: false, retry: err.code !== 'ENOENT', error: `${this.command}: ${err.message}` });
      });
      child.once('exit', (code, signal) => {
        if (entry.waiting === child) entry.waiting = undefined;
        if (code === 0 || signal !== null) return settle({ ok: true });
        const error = `${this.command} exited ${code}: ${stderr.trim().slice(0, 200)}`;
        if (settled) this.log.warn(`notifier: ${error}`);
        // 127: the command is gone. Anything else (no daemon on the bus yet, a session starting
        // up) is worth another try.
        settle({ ok: false, retry: code !== 127, error });
      });
    });
  }

  /** Replaces the page's notification with a quiet one that expires (notify-send has no close). */
  withdraw(id: string, text: { title: string; body: string }): void {
    const entry = this.shown.get(id);
    this.shown.delete(id);
    if (!entry) return;
    entry.waiting?.kill();
    if (entry.id === undefined) return;
    const args = [
      '--app-name=Vigil',
      '--urgency=low',
      `--expire-time=${WITHDRAWN_SHOWN_MS}`,
      '--category=vigil.withdrawn',
      `--replace-id=${entry.id}`,
      '--',
      text.title,
      escapeMarkup(text.body),
    ];
    const child = spawn(this.command, args, { stdio: 'ignore' });
    child.once('error', (err) => this.log.warn(`notifier: withdrawing ${id}: ${err.message}`));
  }

  /** Stops the notify-send processes still waiting for a button (the notifications stay up). */
  dispose(): void {
    for (const e of this.shown.values()) e.waiting?.kill();
    this.shown.clear();
  }
}
