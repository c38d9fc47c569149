import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { controlLineOf, listenToParentPort, parentPortOf } from '../../electron/collector/simulator/parent-port.js';
import { SIM_CONTROL_MAX_LENGTH } from '../../shared/sim/index.js';

describe("the simulator's parent-port control (Electron utility process: no stdin)", () => {
  it('accepts the Demo menu switches, as Electron delivers them ({ data, ports })', () => {
    expect(controlLineOf({ data: 'on cost-bug', ports: [] })).toEqual({ ok: true, line: 'on cost-bug' });
    expect(controlLineOf({ data: 'off provider-outage' })).toEqual({ ok: true, line: 'off provider-outage' });
  });

  it('refuses anything else, saying why', () => {
    const refused = (m: unknown): string => {
      const r = controlLineOf(m);
      return r.ok ? `(accepted: ${r.line})` : r.message;
    };
    expect(refused('on cost-bug')).toMatch(/^ignored a parent message/); // not the event shape
    expect(refused(null)).toMatch(/^ignored/);
    expect(refused({ data: 42 })).toMatch(/^ignored/);
    expect(refused({ data: 'status' })).toMatch(/on NAME/);
    expect(refused({ data: 'on cost-bug service=chat' })).toMatch(/on NAME/);
    expect(refused({ data: 'on  cost-bug' })).toMatch(/on NAME/);
    expect(refused({ data: 'on no-such-scenario' })).toMatch(/unknown scenario/);
    expect(refused({ data: `on ${'x'.repeat(SIM_CONTROL_MAX_LENGTH)}` })).toMatch(/^ignored/);
  });

  it('finds the port only when there is one, and stops listening when asked', () => {
    expect(parentPortOf(process)).toBeNull();
    expect(parentPortOf({ parentPort: {} })).toBeNull();
    const port = new EventEmitter();
    expect(parentPortOf({ parentPort: port })).toBe(port);
    const lines: string[] = [];
    const refusals: string[] = [];
    const stop = listenToParentPort(
      port,
      (l) => lines.push(l),
      (m) => refusals.push(m),
    );
    port.emit('message', { data: 'on cost-bug' });
    port.emit('message', { data: 'rm -rf /' });
    stop();
    port.emit('message', { data: 'off cost-bug' });
    expect(lines).toEqual(['on cost-bug']);
    expect(refusals).toHaveLength(1);
  });
});
