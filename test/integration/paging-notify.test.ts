import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/protocol/incident.js';
import { AlarmService, type AlarmSource } from '../../electron/main/services/alarm/index.js';
import { LinuxNotifier, NodeNotifier, notifySendHasActions } from '../../electron/main/services/notifier/index.js';

/**
 * A REAL desktop notification: Xvfb + a session D-Bus + dunst, the Alarm service raising a page
 * through node-notifier (notify-send), observed on the bus with dbus-monitor and in dunst's
 * history. One notification per incident (protocol 5): its id is the incident's, its title
 * "<title> · N alerts". Missing tools fail the test with a message: CI installs them (xvfb, dbus-x11, dunst,
 * libnotify-bin).
 */
const run = promisify(execFile);
const TOOLS = ['Xvfb', 'dbus-daemon', 'dbus-monitor', 'dunst', 'dunstctl', 'notify-send'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const procs: ChildProcess[] = [];
let dir = '';
let env: NodeJS.ProcessEnv = {};
const savedEnv = { DISPLAY: process.env.DISPLAY, DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS };
let monitorOut = '';

async function which(tool: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
}

function freeDisplay(): number {
  for (let n = 90 + (process.pid % 50); n < 400; n++) {
    if (!existsSync(`/tmp/.X11-unix/X${n}`) && !existsSync(`/tmp/.X${n}-lock`)) return n;
  }
  throw new Error('no free X display number');
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function start(cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
  const p = spawn(cmd, args, { env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  return p;
}

/** The Notify calls seen on the bus, each as its block of dbus-monitor text. */
function notifyCalls(): string[] {
  return monitorOut.split(/\n(?=method call|signal|method return|error)/).filter((b) => /member=Notify\b/.test(b));
}

beforeAll(async () => {
  const missing: string[] = [];
  for (const t of TOOLS) if (!(await which(t))) missing.push(t);
  if (missing.length) {
    throw new Error(
      `paging-notify needs ${missing.join(', ')} on PATH (apt-get install xvfb dbus-x11 dunst libnotify-bin)`,
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'vigil-notify-'));
  const display = freeDisplay();
  start('Xvfb', [`:${display}`, '-screen', '0', '800x600x24', '-nolisten', 'tcp']);
  await until('Xvfb', () => existsSync(`/tmp/.X11-unix/X${display}`));

  const busPath = join(dir, 'bus');
  const bus = start('dbus-daemon', ['--session', '--nofork', `--address=unix:path=${busPath}`, '--print-address=1']);
  let busOut = '';
  bus.stdout?.on('data', (d: Buffer) => (busOut += d.toString()));
  await until('dbus-daemon', () => busOut.includes('unix:path='));
  env = { DISPLAY: `:${display}`, DBUS_SESSION_BUS_ADDRESS: busOut.trim().split('\n')[0] };

  // dunst's context menu (`dunstctl context`) pipes "#<action> (<summary>) [<id>,<key>]" lines to
  // its dmenu command and invokes the line it prints: this one presses "Acknowledge".
  const pick = join(dir, 'press-acknowledge.sh');
  writeFileSync(pick, "#!/bin/sh\ngrep -m1 '^#Acknowledge '\n", { mode: 0o755 });
  writeFileSync(
    join(dir, 'dunstrc'),
    [
      '[global]',
      '    history_length = 200',
      `    dmenu = ${pick}`,
      '[urgency_low]',
      '    timeout = 5',
      '[urgency_normal]',
      '    timeout = 5',
      '[urgency_critical]',
      '    timeout = 0',
      '',
    ].join('\n'),
  );
  start('dunst', ['-config', join(dir, 'dunstrc')], env);
  await until('dunst on the bus', async () => {
    try {
      await run('dunstctl', ['is-paused'], { env: { ...process.env, ...env } });
      return true;
    } catch {
      return false;
    }
  });
  const monitor = start(
    'dbus-monitor',
    ['--session', "interface='org.freedesktop.Notifications',member='Notify'"],
    env,
  );
  monitor.stdout?.on('data', (d: Buffer) => (monitorOut += d.toString()));
  await sleep(300); // let the monitor register its match rule
  // node-notifier spawns notify-send from this process: point it at our display and bus.
  Object.assign(process.env, env);
}, 30_000);

afterAll(async () => {
  for (const p of procs.reverse()) {
    if (p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await Promise.race([exited, sleep(2_000).then(() => p.kill('SIGKILL'))]);
    }
  }
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function page(status: Incident['status']): Incident {
  return {
    id: 'incident-1',
    key: '{provider="openai"}',
    tier: 'page',
    status,
    title: 'openai down',
    alertIds: ['provider-down', 'error-rate-checkout', 'error-rate-chat', 'latency-p95'],
    firedAt: new Date().toISOString(),
    escalation: {
      level: 1,
      target: 'alice',
      dueAt: new Date(Date.now() + 30 * 60_000).toISOString(),
      nextTarget: 'bob',
    },
  };
}

/** What the person sees: the incident's title and its open alerts (all four are). */
const SHOWN = 'openai down · 4 alerts';

/** One paging incident as the Alarm's source; `change` replaces it and tells the Alarm. */
interface PageSource {
  current: Incident;
  source: AlarmSource;
  change(next: Incident): void;
}

function pageSource(): PageSource {
  const listeners = new Set<(ids: string[]) => void>();
  const pg: PageSource = {
    current: page('firing'),
    source: {
      listIncidents: () => [pg.current],
      getIncident: (id) => (id === pg.current.id ? pg.current : undefined),
      openAlertCount: (i) => i.alertIds.length,
      onIncidentsChanged: (l) => (listeners.add(l), () => listeners.delete(l)),
    },
    change(next) {
      pg.current = next;
      for (const l of listeners) l([next.id]);
    },
  };
  return pg;
}

describe('paging: a real critical notification under Xvfb + D-Bus + dunst', () => {
  it('rings critical with the summary, repeats until acknowledged, and stops after', async () => {
    const pg = pageSource();
    const { source } = pg;
    const warnings: string[] = [];
    const log = { info: () => {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const alarm = new AlarmService({
      user: 'alice',
      source,
      notifier: new NodeNotifier(log),
      acknowledge: () => {},
      repeatEveryMs: 1_000,
    });
    alarm.start();
    try {
      await until('the first notification on the bus', () => notifyCalls().length >= 1);
      const first = notifyCalls()[0] ?? '';
      expect(first).toContain('string "Vigil"');
      expect(first).toContain(`string "${SHOWN}"`);
      // The urgency hint is a byte: 2 = critical.
      expect(first).toMatch(/"urgency"\s*\n?\s*variant\s+byte 2/);
      await until('three notifications (repeats)', () => notifyCalls().length >= 3, 6_000);

      pg.change({ ...pg.current, status: 'acknowledged', acknowledgedBy: 'alice' });
      expect(alarm.state().ringing).toEqual([]);
      await sleep(300); // a notify-send already spawned may still land
      const afterAck = notifyCalls().length;
      await sleep(2_500);
      expect(notifyCalls().length).toBe(afterAck);

      // dunst agrees: close everything and read its history as JSON.
      const e = { env: { ...process.env, ...env } };
      await run('dunstctl', ['close-all'], e);
      await sleep(200);
      const { stdout } = await run('dunstctl', ['history'], e);
      type Field = { data: string } | undefined;
      const history = JSON.parse(stdout) as {
        data: { summary: Field; urgency?: Field; appname: Field; category: Field }[][];
      };
      const ours = (history.data[0] ?? []).filter((n) => n.summary?.data === SHOWN);
      expect(ours.length).toBeGreaterThanOrEqual(3);
      for (const n of ours) {
        // dunst 1.9 has no urgency in its history JSON (later versions do); the bus showed byte 2 above.
        if (n.urgency) expect(n.urgency.data).toBe('CRITICAL');
        expect(n.appname?.data).toBe('Vigil');
        expect(n.category?.data).toBe('vigil.page');
      }
      expect(warnings).toEqual([]);
    } finally {
      alarm.dispose();
    }
  });

  it('notify-send with an Acknowledge button: pressing it acknowledges the page, which is then taken down; repeats replace, not stack', async () => {
    expect(notifySendHasActions()).toBe(true);
    const before = notifyCalls().length;
    const pg = pageSource();
    const { source } = pg;
    const warnings: string[] = [];
    const log = { info: () => {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const notifier = new LinuxNotifier(log);
    const acknowledged: string[] = [];
    const alarm = new AlarmService({
      user: 'alice',
      source,
      notifier,
      // What the app does with it: an ack command through the outbox.
      acknowledge: (id) => {
        acknowledged.push(id);
        pg.change({ ...pg.current, status: 'acknowledged', acknowledgedBy: 'alice' });
      },
      repeatEveryMs: 1_000,
    });
    const e = { env: { ...process.env, ...env } };
    alarm.start();
    try {
      await until('two rings on the bus', () => notifyCalls().length >= before + 2, 6_000);
      const [first, second] = notifyCalls().slice(before);
      expect(first).toContain('string "ack"');
      expect(first).toContain('string "Acknowledge"');
      // The second ring replaces the first notification (replaces_id is its id, not 0).
      expect(second).toMatch(/string "Vigil"\s*\n\s*uint32 [1-9]\d*/);
      const { stdout: shown } = await run('dunstctl', ['count', 'displayed'], e);
      expect(Number(shown.trim())).toBe(1);

      // The person presses "Acknowledge" on the notification.
      await run('dunstctl', ['context'], e);
      await until('the acknowledgement', () => acknowledged.length > 0, 5_000);
      expect(acknowledged).toEqual([pg.current.id]);
      expect(alarm.state().ringing).toEqual([]);
      // The page is taken down: replaced by a quiet "Acknowledged by you" that expires.
      await until('the withdrawal on the bus', () => notifyCalls().some((c) => c.includes('Acknowledged by you')));
      const withdrawn = notifyCalls().find((c) => c.includes('Acknowledged by you')) ?? '';
      expect(withdrawn).toMatch(/string "Vigil"\s*\n\s*uint32 [1-9]\d*/);
      expect(withdrawn).toMatch(/"urgency"\s*\n?\s*variant\s+byte 0/);
      await until(
        'nothing displayed',
        async () => Number((await run('dunstctl', ['count', 'displayed'], e)).stdout.trim()) === 0,
        6_000,
      );
      await sleep(1_500);
      expect(acknowledged).toHaveLength(1);
      expect(warnings).toEqual([]);
    } finally {
      alarm.dispose();
      notifier.dispose();
      await run('dunstctl', ['close-all'], e);
    }
  });

  it('a body with markup in it reaches dunst escaped, so the person sees it as written', async () => {
    const e = { env: { ...process.env, ...env } };
    const warnings: string[] = [];
    const log = { info: () => {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const notifier = new LinuxNotifier(log);
    // What a sender controls: an Alertmanager annotation, an Events-v2 summary.
    const body = 'Escalates to <b>bob</b> & <a href="https://evil.example">dana</a>';
    const title = 'Error rate 31% on <checkout> & co';
    try {
      expect(await notifier.notify({ id: 'markup-1', title, body, loud: false, acknowledgeAction: false })).toEqual({
        ok: true,
      });
      await until('the notification in dunst', async () => {
        const { stdout } = await run('dunstctl', ['count', 'displayed'], e);
        return Number(stdout.trim()) > 0;
      });
      await run('dunstctl', ['close-all'], e);
      await sleep(200);
      const { stdout } = await run('dunstctl', ['history'], e);
      type Field = { data: string } | undefined;
      const history = JSON.parse(stdout) as { data: { summary: Field; body: Field; message: Field }[][] };
      const shown = (history.data[0] ?? []).find((n) => n.summary?.data === title);
      expect(shown?.body?.data).toBe(
        'Escalates to &lt;b&gt;bob&lt;/b&gt; &amp; &lt;a href=&quot;https://evil.example&quot;&gt;dana&lt;/a&gt;',
      );
      // dunst's formatted text (Pango markup): the tags are text, no bold, no link; the title it quoted itself.
      const message = shown?.message?.data ?? '';
      expect(message).toContain('&lt;b&gt;bob&lt;/b&gt;');
      expect(message).not.toContain('<b>bob</b>');
      expect(message).not.toContain('<a href');
      expect(message).toContain('&lt;checkout&gt; &amp; co');
      expect(warnings).toEqual([]);
    } finally {
      notifier.dispose();
      await run('dunstctl', ['close-all'], e);
    }
  });
});
