import type { OtlpAnyValue, OtlpKeyValue } from '../../../../shared/protocol/otlp.js';

export type AttrValue = string | number | boolean | AttrValue[] | undefined;

/** An OTLP AnyValue as a plain JS value; int64 beyond 2^53 loses precision (token counts never get there). */
export function anyValue(v: OtlpAnyValue | undefined): AttrValue {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return typeof v.doubleValue === 'number' ? v.doubleValue : Number(v.doubleValue);
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValue);
  return undefined;
}

/** Attribute list → map; a repeated key keeps its last value (the SDKs never send duplicates). */
export function attributeMap(attrs: readonly OtlpKeyValue[] | undefined): Map<string, AttrValue> {
  const m = new Map<string, AttrValue>();
  for (const kv of attrs ?? []) m.set(kv.key, anyValue(kv.value));
  return m;
}

export function attrString(m: Map<string, AttrValue>, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = m.get(k);
    if (typeof v === 'string' && v.length > 0) return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  }
  return undefined;
}

/** A non-negative integer attribute (tokens); strings holding integers are accepted too. */
export function attrCount(m: Map<string, AttrValue>, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = m.get(k);
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
    if (n !== undefined && Number.isFinite(n) && n >= 0) return Math.round(n);
  }
  return undefined;
}
