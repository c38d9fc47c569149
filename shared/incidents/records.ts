import { z } from 'zod';
import type { AlertRecord, IncidentCoreState, IncidentRecord } from './schema.js';

/**
 * The state keeps maps as plain records (so it is JSON as is). Ids come from senders, so reads
 * check own properties (an alert id "constructor" or "__proto__" is just an id) and writes
 * define own properties (assigning "__proto__" would set the prototype instead).
 */
export function getOwn<T>(rec: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

/**
 * `z.record` for keys that come from senders: each value is validated by `value` and the result
 * is built with own properties (zod's record assigns keys, so "__proto__" would set a prototype).
 */
export function ownRecord<T extends z.ZodType>(value: T) {
  return z
    .custom<Record<string, unknown>>(
      (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
      'expected an object',
    )
    .transform((obj, ctx) => {
      const entries: [string, z.output<T>][] = [];
      for (const [k, v] of Object.entries(obj)) {
        const r = value.safeParse(v);
        if (r.success) entries.push([k, r.data]);
        else
          for (const issue of r.error.issues)
            ctx.addIssue({ code: 'custom', message: issue.message, path: [k, ...issue.path] });
      }
      return Object.fromEntries(entries) as Record<string, z.output<T>>;
    });
}

function define<T>(rec: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(rec, key, { value, enumerable: true, writable: true, configurable: true });
}

type MapName = 'incidents' | 'alerts' | 'openByKey';

/**
 * Copy-on-write editing of a state, so stages stay pure (the state they are given is never
 * changed) without copying a whole map per change: each map is copied at most once per stage
 * run, on its first write. Reads see the writes made so far.
 */
export class Draft {
  private readonly s: IncidentCoreState;
  private readonly copied = new Set<MapName>();

  constructor(base: IncidentCoreState) {
    this.s = { ...base };
  }

  get view(): Readonly<IncidentCoreState> {
    return this.s;
  }

  alert(id: string): AlertRecord | undefined {
    return getOwn(this.s.alerts, id);
  }

  incident(id: string): IncidentRecord | undefined {
    return getOwn(this.s.incidents, id);
  }

  keyHolder(key: string): string | undefined {
    return getOwn(this.s.openByKey, key);
  }

  private writable<K extends MapName>(name: K): IncidentCoreState[K] {
    if (!this.copied.has(name)) {
      this.s[name] = { ...this.s[name] } as IncidentCoreState[K];
      this.copied.add(name);
    }
    return this.s[name];
  }

  putAlert(a: AlertRecord): void {
    define(this.writable('alerts'), a.id, a);
  }

  dropAlert(id: string): void {
    if (Object.hasOwn(this.s.alerts, id)) delete this.writable('alerts')[id];
  }

  putIncident(i: IncidentRecord): void {
    define(this.writable('incidents'), i.id, i);
  }

  dropIncident(id: string): void {
    if (Object.hasOwn(this.s.incidents, id)) delete this.writable('incidents')[id];
  }

  putKey(key: string, incidentId: string): void {
    define(this.writable('openByKey'), key, incidentId);
  }

  /** Frees a group key if (and only if) it still points at `incidentId`. */
  freeKey(key: string, incidentId: string): void {
    if (this.keyHolder(key) === incidentId) delete this.writable('openByKey')[key];
  }

  nextIncidentId(): string {
    const id = `inc-${this.s.seq}`;
    this.s.seq += 1;
    return id;
  }

  setSilences(silences: IncidentCoreState['silences']): void {
    this.s.silences = silences;
  }

  done(): IncidentCoreState {
    return this.s;
  }
}
