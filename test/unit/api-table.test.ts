import { describe, expect, it, vi } from 'vitest';
import { API_METHOD_NAMES, API_METHODS, ApiCall, type ApiMethod } from '../../shared/protocol/api.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { ApiRefusal, dispatchApiCall, type ApiHandlers } from '../../shared/api/handlers.js';
import { ApiCallError, settleReply } from '../../shared/api/client.js';

const status = {
  state: 'offline',
  user: 'ana',
  collectorUrl: 'http://127.0.0.1:9',
  lastSeq: 0,
  since: '2025-03-04T03:00:00.000Z',
  serverOffsetMs: 0,
  pendingCommands: 0,
} as const;

/** Every handler refuses unless a test replaces it: enough to exercise the dispatcher alone. */
function handlers(overrides: Partial<ApiHandlers> = {}): ApiHandlers {
  const refuse = (): never => {
    throw new ApiRefusal({ code: 'unavailable', message: 'not in this test' });
  };
  const all = Object.fromEntries(API_METHOD_NAMES.map((m) => [m, refuse])) as unknown as ApiHandlers;
  return { ...all, ...overrides };
}

const quiet = (): void => {};

describe('the Api method table', () => {
  it('derives the ApiCall union: one option per method, nothing else', () => {
    const methods = ApiCall.options.map((o) => o.shape.method.value).sort();
    expect(methods).toEqual([...API_METHOD_NAMES].sort());
    expect(API_METHOD_NAMES.length).toBeGreaterThanOrEqual(15);
    for (const m of API_METHOD_NAMES) {
      expect(ApiCall.safeParse({ method: m, params: {} }).success).toBe(API_METHODS[m].params.safeParse({}).success);
    }
  });

  it('runs the handler with params validated (and parsed) from the table', async () => {
    const seen: unknown[] = [];
    const h = handlers({
      'status.get': () => status,
      'runbooks.search': (p) => {
        seen.push(p);
        return [];
      },
    });
    expect(await dispatchApiCall(h, { method: 'status.get', params: {} }, quiet)).toEqual({ ok: true, result: status });
    const call = { method: 'runbooks.search', params: { query: 'backoff', limit: 3 }, extra: 'ignored' };
    expect(await dispatchApiCall(h, call, quiet)).toEqual({ ok: true, result: [] });
    expect(seen).toEqual([{ query: 'backoff', limit: 3 }]);
  });

  it('rejects bad params with a coded error naming the field, without running the handler', async () => {
    const list = vi.fn(() => []);
    const h = handlers({ 'alerts.list': list, 'runbooks.search': vi.fn(() => []) });
    const cases: [unknown, string][] = [
      [{ method: 'alerts.list', params: { status: 'on-fire' } }, 'params.status'],
      [{ method: 'alerts.list', params: { extra: 1 } }, 'params'],
      [{ method: 'alerts.list' }, 'params'],
      [{ method: 'alerts.get', params: { id: '' } }, 'params.id'],
      [{ method: 'runbooks.search', params: { query: 'x'.repeat(501) } }, 'params.query'],
      [{ method: 'series.query', params: { metric: 'requests', fromMs: 10, toMs: 5 } }, 'params'],
      [{ method: 'alerts.drop', params: {} }, 'method'],
      [{ method: 'constructor', params: {} }, 'method'],
      [[1, 2], '(root)'],
      ['alerts.list', '(root)'],
      [null, '(root)'],
    ];
    for (const [call, field] of cases) {
      const reply = await dispatchApiCall(h, call, quiet);
      expect(reply, JSON.stringify(call)).toMatchObject({ ok: false, error: { code: 'invalid_field' } });
      if (!reply.ok) expect(reply.error.message.startsWith(field), reply.error.message).toBe(true);
    }
    expect(list).not.toHaveBeenCalled();
  });

  it('answers a refusal with its code and anything else with internal, reported once', async () => {
    const unexpected = vi.fn();
    const h = handlers({
      'alerts.get': () => {
        throw new ApiRefusal({ code: 'not_found', message: 'no alert x' });
      },
      'outbox.list': () => {
        throw new Error('disk on fire');
      },
    });
    expect(await dispatchApiCall(h, { method: 'alerts.get', params: { id: 'x' } }, unexpected)).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'no alert x' },
    });
    const reply = await dispatchApiCall(h, { method: 'outbox.list', params: {} }, unexpected);
    expect(reply).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(reply)).not.toContain('disk on fire');
    expect(unexpected).toHaveBeenCalledTimes(1);
    expect(unexpected.mock.calls[0]?.[0]).toBe('outbox.list');
  });
});

describe('settleReply (what both renderer transports do with a reply)', () => {
  it('returns a result that matches the method result schema', () => {
    expect(settleReply('status.get', { ok: true, result: status })).toEqual(status);
    expect(settleReply('alerts.get', { ok: true, result: null })).toBeNull();
  });

  it('refuses a result of the wrong shape as protocol_mismatch', () => {
    const bad: [ApiMethod, unknown][] = [
      ['alerts.list', [{ id: 1 }]],
      ['status.get', { ...status, lastSeq: -1 }],
      ['alerts.command', {}],
      ['rotation.get', undefined],
    ];
    for (const [method, result] of bad) {
      expect(() => settleReply(method, { ok: true, result }), method).toThrow(
        expect.objectContaining({ code: 'protocol_mismatch' }),
      );
    }
    expect(() => settleReply('status.get', 'nonsense')).toThrow(expect.objectContaining({ code: 'protocol_mismatch' }));
  });

  it('throws every ErrorCode as an ApiCallError with that code and message', () => {
    for (const code of ErrorCode.options) {
      let caught: unknown;
      try {
        settleReply('status.get', { ok: false, error: { code, message: `it was ${code}` } });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ApiCallError);
      expect(caught).toMatchObject({ code, message: `it was ${code}` });
    }
  });
});
