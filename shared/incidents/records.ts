import { z } from 'zod';

/**
 * The state keeps maps as plain records (so it is JSON as is). Ids come from senders, so reads
 * check own properties (an alert id "constructor" or "__proto__" is just an id) and writes go
 * through object spread, which defines own properties.
 */
export function getOwn<T>(rec: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

export function withEntry<T>(rec: Record<string, T>, key: string, value: T): Record<string, T> {
  return { ...rec, [key]: value };
}

export function withoutEntry<T>(rec: Record<string, T>, key: string): Record<string, T> {
  if (!Object.hasOwn(rec, key)) return rec;
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(rec))
    if (k !== key) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
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
