import { describe, expect, it } from 'vitest';
import {
  InhibitConfig,
  InhibitRule,
  defaultIncidentsConfig,
  inhibitionRoot,
  inhibitions,
} from '../../shared/incidents/index.js';
import { alert, Driver, SEC, T0 } from '../fixtures/incidents.js';

const defaults = InhibitConfig.parse({}).rules;
const rule = (r: unknown): InhibitRule => InhibitRule.parse(r);

const down = (id: string, provider: string, over = {}) =>
  alert(id, { ruleId: 'provider-down', labels: { provider }, summary: `${provider} down`, ...over });
const errorRate = (id: string, service: string, provider: string, over = {}) =>
  alert(id, { ruleId: 'error-rate', labels: { service, provider }, ...over });

describe('inhibitions (Alertmanager semantics)', () => {
  it('the default rule: a firing provider-down inhibits page and ticket alerts of the same provider', () => {
    const got = inhibitions(
      [
        down('d', 'openai'),
        errorRate('e1', 'chat', 'openai'),
        errorRate('e2', 'search', 'openai', { tier: 'ticket' }),
        errorRate('e3', 'chat', 'openai', { tier: 'review' }),
        errorRate('e4', 'chat', 'anthropic'),
      ],
      defaults,
    );
    expect(Object.fromEntries(got)).toEqual({ e1: 'd', e2: 'd' });
  });

  it('a source never inhibits itself; a resolved or pending source does not inhibit', () => {
    const self = rule({
      source: [{ name: 'alertname', op: '=~', value: '.+' }],
      target: [{ name: 'tier', op: '=', value: 'page' }],
    });
    expect(inhibitions([down('d', 'openai')], [self]).size).toBe(0);
    expect(
      inhibitions([down('d', 'openai', { status: 'resolved' }), errorRate('e', 'chat', 'openai')], defaults).size,
    ).toBe(0);
    expect(
      inhibitions([down('d', 'openai', { status: 'pending' }), errorRate('e', 'chat', 'openai')], defaults).size,
    ).toBe(0);
    // Acknowledged still fires: it still inhibits.
    expect(
      inhibitions([down('d', 'openai', { status: 'acknowledged' }), errorRate('e', 'chat', 'openai')], defaults).size,
    ).toBe(1);
  });

  it('an alert matching both sides is not inhibited by a source matching both sides', () => {
    // Two provider-down pages of one provider: neither inhibits the other.
    const got = inhibitions([down('d1', 'openai'), down('d2', 'openai', { firedAt: T0 + 1 })], defaults);
    expect(got.size).toBe(0);
    // A review-tier provider-down matches only the source side: it inhibits the page one.
    const review = inhibitions([down('d1', 'openai', { tier: 'review' }), down('d2', 'openai')], defaults);
    expect(Object.fromEntries(review)).toEqual({ d2: 'd1' });
  });

  it('equal: a label missing on both sides counts as equal (""), missing on one side does not', () => {
    const noEqual = rule({
      source: [{ name: 'alertname', op: '=', value: 'provider-down' }],
      target: [{ name: 'alertname', op: '=', value: 'error-rate' }],
      equal: ['region'],
    });
    expect(inhibitions([down('d', 'openai'), errorRate('e', 'chat', 'openai')], [noEqual]).size).toBe(1);
    expect(
      inhibitions([down('d', 'openai', { labels: { region: 'eu' } }), errorRate('e', 'chat', 'openai')], [noEqual])
        .size,
    ).toBe(0);
  });

  it('the earliest fired source wins; rules are tried in order', () => {
    const got = inhibitions(
      [
        down('late', 'openai', { firedAt: T0 + 5, tier: 'review' }),
        down('early', 'openai', { tier: 'review' }),
        errorRate('e', 'chat', 'openai'),
      ],
      defaults,
    );
    expect(got.get('e')).toBe('early');
  });

  it('inhibitionRoot follows chains and settles cycles on the smallest id', () => {
    expect(
      inhibitionRoot(
        'c',
        new Map([
          ['c', 'b'],
          ['b', 'a'],
        ]),
      ),
    ).toBe('a');
    expect(
      inhibitionRoot(
        'a',
        new Map([
          ['a', 'b'],
          ['b', 'a'],
        ]),
      ),
    ).toBe('a');
    expect(
      inhibitionRoot(
        'b',
        new Map([
          ['a', 'b'],
          ['b', 'a'],
        ]),
      ),
    ).toBe('a');
    expect(inhibitionRoot('x', new Map())).toBe('x');
  });
});

describe('inhibit stage: inhibited alerts join the inhibiting alert’s incident', () => {
  it('the demo outage: provider-down + error-rate + two latency alerts on openai ring once; anthropic is separate', () => {
    const d = new Driver();
    d.alert(errorRate('err-chat', 'chat', 'openai'), T0);
    d.alert(
      alert('lat-chat', { ruleId: 'latency-p95', tier: 'ticket', labels: { service: 'chat', provider: 'openai' } }),
      T0 + 2 * SEC,
    );
    d.alert(
      alert('lat-search', { ruleId: 'latency-p95', tier: 'ticket', labels: { service: 'search', provider: 'openai' } }),
      T0 + 4 * SEC,
    );
    d.alert(down('down', 'openai'), T0 + 10 * SEC);
    d.alert(errorRate('err-other', 'billing', 'anthropic'), T0 + 12 * SEC);
    const inc = d.incidentOf('down')!;
    for (const id of ['err-chat', 'lat-chat', 'lat-search']) {
      expect(d.incidentOf(id)).toBe(inc);
      expect(d.state.alerts[id]?.inhibitedBy).toBe('down');
    }
    expect(d.incidentOf('err-other')).not.toBe(inc);
    // The groups emptied before ringing leave no trace: two incidents in all.
    expect(Object.keys(d.state.incidents)).toHaveLength(2);
    d.tick(T0 + 60 * SEC);
    d.tick(T0 + 120 * SEC);
    const rings = d.rings();
    expect(rings.map((r) => r.incidentId).sort()).toEqual([inc, d.incidentOf('err-other')].sort());
    const outage = rings.find((r) => r.incidentId === inc)!;
    expect(outage).toMatchObject({ tier: 'page', text: 'openai down · 4 alerts', ring: 1 });
  });

  it('an alert inhibited on arrival never rings on its own', () => {
    const d = new Driver();
    d.alert(down('down', 'openai'), T0);
    d.tick(T0 + 40 * SEC);
    expect(d.rings()).toHaveLength(1);
    d.alert(errorRate('e', 'chat', 'openai'), T0 + 50 * SEC);
    expect(d.incidentOf('e')).toBe(d.incidentOf('down'));
    d.tick(T0 + 200 * SEC);
    expect(d.rings()).toHaveLength(1);
    // Its arrival updates the text of the ring already shown, silently.
    expect(d.sent.filter((n) => n.kind === 'update')).toHaveLength(1);
  });

  it('a group that already rang keeps existing, closed as merged, when its only member moves', () => {
    const d = new Driver();
    d.alert(errorRate('e', 'chat', 'openai'), T0);
    d.tick(T0 + 31 * SEC);
    const first = d.incidentOf('e')!;
    d.alert(down('down', 'openai'), T0 + 60 * SEC);
    expect(d.incidentOf('e')).toBe(d.incidentOf('down'));
    expect(d.state.incidents[first]).toMatchObject({ status: 'resolved', mergedInto: d.incidentOf('down') });
  });

  it('when the source resolves the member stays but is no longer inhibited', () => {
    const d = new Driver();
    d.alert(down('down', 'openai'), T0);
    d.alert(errorRate('e', 'chat', 'openai'), T0 + SEC);
    d.alert(down('down', 'openai', { status: 'resolved' }), T0 + 100 * SEC);
    expect(d.state.alerts.e?.inhibitedBy).toBeUndefined();
    expect(d.incidentOf('e')).toBe(d.incidentOf('down'));
    expect(d.state.incidents[d.incidentOf('e')!]?.status).not.toBe('resolved');
  });

  it('with no inhibit rules, the same outage is one incident per service', () => {
    const d = new Driver({ ...defaultIncidentsConfig(), inhibit: { rules: [] } });
    d.alert(errorRate('a', 'chat', 'openai'), T0);
    d.alert(errorRate('b', 'search', 'openai'), T0);
    d.alert(down('down', 'openai'), T0);
    expect(new Set(['a', 'b', 'down'].map((id) => d.incidentOf(id))).size).toBe(3);
  });
});
