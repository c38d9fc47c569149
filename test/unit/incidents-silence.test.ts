import { describe, expect, it } from 'vitest';
import {
  EXPIRED_SILENCE_KEEP_MS,
  MAX_ENDED_SILENCES,
  MAX_SILENCE_LIST_BYTES,
  MAX_SILENCES,
  Silence,
  SilencesConfig,
  activeSilences,
  addSilence,
  expireSilence,
  isActive,
  pruneSilences,
  silencedBy,
  toWireIncident,
  validateSilence,
} from '../../shared/incidents/index.js';
import { SILENCE_HARD_MAX_MS } from '../../shared/protocol/incident.js';
import { alert, Driver, SEC, T0 } from '../fixtures/incidents.js';

const HOUR = 3_600_000;
const MAX = 7 * 24 * HOUR;
const iso = (ms: number): string => new Date(ms).toISOString();

function silence(
  id: string,
  startsAt: number,
  endsAt: number,
  matchers: Silence['matchers'] = [{ name: 'service', op: '=', value: 'chat' }],
): Silence {
  return Silence.parse({
    id,
    matchers,
    startsAt: iso(startsAt),
    endsAt: iso(endsAt),
    createdBy: 'ana',
    comment: 'deploy',
  });
}

describe('silences: time', () => {
  it('is active from startsAt (inclusive) to endsAt (exclusive)', () => {
    const s = silence('s1', T0, T0 + HOUR);
    expect(isActive(s, T0 - 1)).toBe(false);
    expect(isActive(s, T0)).toBe(true);
    expect(isActive(s, T0 + HOUR - 1)).toBe(true);
    expect(isActive(s, T0 + HOUR)).toBe(false);
    expect(activeSilences([s, silence('s2', T0 + HOUR, T0 + 2 * HOUR)], T0).map((x) => x.id)).toEqual(['s1']);
  });

  it('expiring early ends it now; one not yet started ends when it would start; an ended one is refused', () => {
    const s = silence('s1', T0, T0 + HOUR);
    const r = expireSilence([s], 's1', T0 + 10 * SEC);
    expect(r.ok && r.silences[0]?.endsAt).toBe(iso(T0 + 10 * SEC));
    expect(r.ok && isActive(r.silences[0]!, T0 + 10 * SEC)).toBe(false);
    const future = expireSilence([silence('s2', T0 + HOUR, T0 + 2 * HOUR)], 's2', T0);
    expect(future.ok && future.silences[0]).toMatchObject({ startsAt: iso(T0 + HOUR), endsAt: iso(T0 + HOUR) });
    expect(expireSilence([s], 's1', T0 + 2 * HOUR).ok).toBe(false);
    expect(expireSilence([s], 'nope', T0).ok).toBe(false);
  });

  it('ended silences are pruned after the keep period', () => {
    const s = silence('s1', T0, T0 + HOUR);
    expect(pruneSilences([s], T0 + HOUR + EXPIRED_SILENCE_KEEP_MS - 1)).toHaveLength(1);
    expect(pruneSilences([s], T0 + HOUR + EXPIRED_SILENCE_KEEP_MS)).toHaveLength(0);
  });
});

describe('silences: validation', () => {
  it('accepts a bounded silence with a real matcher', () => {
    expect(validateSilence(silence('s', T0, T0 + HOUR), T0, MAX)).toEqual([]);
  });
  it('rejects endsAt not after startsAt, over maxDuration, or already over', () => {
    expect(validateSilence(silence('s', T0, T0), T0 - 1, MAX)[0]).toMatch(/^endsAt: must be after startsAt/);
    expect(validateSilence(silence('s', T0, T0 + MAX + 1), T0, MAX)[0]).toMatch(/^endsAt: a silence lasts at most/);
    expect(validateSilence(silence('s', T0 - 2 * HOUR, T0 - HOUR), T0, MAX)).toContain('endsAt: must be in the future');
  });
  it('rejects matchers that all match an empty label (would silence nearly everything)', () => {
    const errs = validateSilence(silence('s', T0, T0 + HOUR, [{ name: 'service', op: '=~', value: '.*' }]), T0, MAX);
    expect(errs[0]).toMatch(/^matchers: at least one matcher must not match an empty label/);
    expect(
      Silence.safeParse({
        id: 's',
        matchers: [],
        startsAt: iso(T0),
        endsAt: iso(T0 + 1),
        createdBy: 'ana',
        comment: '',
      }).success,
    ).toBe(false);
  });
  it('the wire shape itself is bounded: ends before it starts, or longer than a year, is refused', () => {
    const base = { id: 's', matchers: [{ name: 'service', op: '=', value: 'chat' }], createdBy: 'ana', comment: '' };
    expect(Silence.safeParse({ ...base, startsAt: iso(T0), endsAt: iso(T0 - 1) }).success).toBe(false);
    expect(Silence.safeParse({ ...base, startsAt: iso(T0), endsAt: iso(T0 + SILENCE_HARD_MAX_MS + 1) }).success).toBe(
      false,
    );
    expect(Silence.safeParse({ ...base, startsAt: iso(T0), endsAt: iso(T0 + SILENCE_HARD_MAX_MS) }).success).toBe(true);
    expect(SilencesConfig.safeParse({ maxDuration: '400d' }).success).toBe(false);
  });

  it('addSilence refuses duplicate ids and invalid ones', () => {
    const s = silence('s', T0, T0 + HOUR);
    const r = addSilence([], s, T0, MAX);
    expect(r.ok).toBe(true);
    expect(r.ok && addSilence(r.silences, s, T0, MAX).ok).toBe(false);
    expect(addSilence([], silence('t', T0, T0 + MAX + 1), T0, MAX).ok).toBe(false);
  });
});

describe('silences: bounds a flood of commands cannot get around', () => {
  const fill = (n: number, start: number, end: number): Silence[] =>
    Array.from({ length: n }, (_, i) => silence(`s${i}`, start, end));

  it('only active or pending silences count toward the cap: expiring them frees their slots', () => {
    const full = fill(MAX_SILENCES, T0, T0 + HOUR);
    const refused = addSilence(full, silence('one-more', T0, T0 + HOUR), T0, MAX);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.errors.join()).toMatch(/at most 1000 active or pending/);
    let list = full;
    for (const x of full) {
      const r = expireSilence(list, x.id, T0 + SEC);
      if (!r.ok) throw new Error(r.errors.join());
      list = r.silences;
    }
    const r = addSilence(list, silence('after', T0 + SEC, T0 + HOUR), T0 + 2 * SEC, MAX);
    expect(r.ok).toBe(true);
    // The ended ones are kept as history, but only the newest MAX_ENDED_SILENCES of them.
    if (r.ok) expect(r.silences.length).toBe(MAX_ENDED_SILENCES + 1);
  });

  it('a silence may not start further ahead than it may last', () => {
    const r = addSilence([], silence('far', T0 + MAX + HOUR, T0 + MAX + 2 * HOUR), T0, MAX);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join()).toMatch(/^startsAt: /);
  });

  it('the whole list every desktop receives stays within its byte budget', () => {
    const long = (id: string): Silence =>
      Silence.parse({
        ...silence(id, T0, T0 + HOUR),
        matchers: Array.from({ length: 32 }, (_, i) => ({ name: `l${i}`, op: '=', value: 'v'.repeat(1024) })),
        comment: 'c'.repeat(2000),
      });
    let list: Silence[] = [];
    let refusal = '';
    for (let i = 0; i < MAX_SILENCES && refusal === ''; i++) {
      const r = addSilence(list, long(`big${i}`), T0, MAX);
      if (r.ok) list = r.silences;
      else refusal = r.errors.join();
    }
    expect(refusal).toMatch(/would exceed \d+ bytes/);
    expect(JSON.stringify(list).length).toBeLessThanOrEqual(MAX_SILENCE_LIST_BYTES);
  });
});

describe('silence stage', () => {
  it('names the first active matching silence; matches alertname and tier too', () => {
    const a = { ruleId: 'latency-p95', tier: 'ticket' as const, labels: { service: 'chat' } };
    const byRule = silence('r', T0, T0 + HOUR, [{ name: 'alertname', op: '=', value: 'latency-p95' }]);
    expect(
      silencedBy(a, [silence('other', T0, T0 + HOUR, [{ name: 'service', op: '=', value: 'search' }]), byRule], T0),
    ).toBe('r');
    expect(silencedBy(a, [byRule], T0 + HOUR)).toBeUndefined();
  });

  it('a silenced alert is recorded, belongs to an incident, never notifies; it rings once the silence is expired', () => {
    const d = new Driver();
    d.run({ kind: 'silence', silence: silence('s1', T0, T0 + HOUR) }, T0);
    d.alert(alert('a', { labels: { service: 'chat' } }), T0);
    expect(d.state.alerts.a?.silencedBy).toBe('s1');
    expect(d.incidentOf('a')).toBeDefined();
    expect(toWireIncident(d.state, d.state.incidents[d.incidentOf('a')!]!).silenced).toBe(true);
    expect(d.tick(T0 + 60 * SEC)).toEqual([]);
    d.run({ kind: 'expire-silence', silenceId: 's1' }, T0 + 120 * SEC);
    expect(d.state.alerts.a?.silencedBy).toBeUndefined();
    expect(d.rings()).toHaveLength(1);
    expect(d.tick(T0 + 180 * SEC)).toEqual([]);
  });

  it('a silence command the core cannot accept leaves the state unchanged', () => {
    const d = new Driver();
    const before = d.state;
    d.run({ kind: 'silence', silence: silence('s1', T0, T0 + 30 * 24 * HOUR) }, T0);
    expect(d.state.silences).toEqual(before.silences);
  });
});
