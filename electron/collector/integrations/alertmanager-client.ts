import {
  AM_API_MAX_RESPONSE_BYTES,
  AmSilenceCreated,
  AmSilenceList,
  type AmGettableSilence,
  type AmPostableSilence,
} from '../../../shared/protocol/alertmanager-api.js';
import { truncateText } from '../../../shared/protocol/bounded-text.js';
import { readBounded } from '../../node/bounded-fetch.js';

/** An error message from Alertmanager (or about it) is cut to this before it reaches a timeline. */
const MAX_ERROR_TEXT = 300;

/** A failed call: the text is what the incident timeline shows. */
export class AlertmanagerApiError extends Error {}

/**
 * Alertmanager API v2, the calls silences on ack need. Every call is bounded in time (the whole
 * exchange, `timeoutMs`) and in size (the answer is read up to AM_API_MAX_RESPONSE_BYTES, then
 * abandoned); answers are validated. Throws AlertmanagerApiError with a short reason.
 */
export class AlertmanagerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async createSilence(s: AmPostableSilence): Promise<string> {
    const body = await this.call('POST', '/api/v2/silences', JSON.stringify(s));
    const r = AmSilenceCreated.safeParse(body);
    if (!r.success) throw new AlertmanagerApiError('Alertmanager answered without a silence id');
    return r.data.silenceID;
  }

  async listSilences(): Promise<AmGettableSilence[]> {
    const body = await this.call('GET', '/api/v2/silences');
    const r = AmSilenceList.safeParse(body);
    if (!r.success) throw new AlertmanagerApiError('Alertmanager answered an unexpected silence list');
    return r.data;
  }

  async expireSilence(id: string): Promise<void> {
    await this.call('DELETE', `/api/v2/silence/${encodeURIComponent(id)}`);
  }

  private async call(method: string, path: string, body?: string): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        signal,
        redirect: 'error',
        ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
      });
    } catch (e) {
      throw new AlertmanagerApiError(`${method} ${url} failed: ${reason(e, this.timeoutMs)}`);
    }
    let text: string;
    try {
      text = await readBounded(res, AM_API_MAX_RESPONSE_BYTES);
    } catch (e) {
      throw new AlertmanagerApiError(`${method} ${url}: ${reason(e, this.timeoutMs)}`);
    }
    if (!res.ok) {
      throw new AlertmanagerApiError(
        `${method} ${url} answered ${res.status}: ${truncateText(text.trim() || res.statusText, MAX_ERROR_TEXT)}`,
      );
    }
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new AlertmanagerApiError(`${method} ${url} answered something other than JSON`);
    }
  }
}

function reason(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return truncateText(err.cause?.code ?? err.message, MAX_ERROR_TEXT);
}
