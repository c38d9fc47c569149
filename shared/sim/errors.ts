/**
 * Failure shapes. Baseline failures use a small, fixed set of messages per provider so a
 * novel-error detector learns them as "known"; only the novel-error scenario (and the
 * connection errors of an outage) produce strings it has not seen.
 */
import type { Provider } from './catalog.js';
import type { Rng } from './random.js';
import { hexId } from './random.js';

/** Single, uncorrelated failures in normal traffic: ~0.5%, far from a 5%-for-10-min page. */
export const BASELINE_ERROR_RATE = 0.005;

/** Client-side timeout the simulated services use; a timed-out request reports this latency. */
export const CLIENT_TIMEOUT_MS = 30_000;

export type ErrorType = 'timeout' | 'rate_limit' | 'server_error' | 'connection_error' | 'validation_error';

export interface SimError {
  type: ErrorType;
  message: string;
}

const RATE_LIMIT: Record<Provider, string> = {
  anthropic: '429 rate_limit_error: Number of request tokens has exceeded your per-minute rate limit',
  openai: '429 Rate limit reached for requests per min (RPM)',
  google: '429 RESOURCE_EXHAUSTED: Quota exceeded for aiplatform.googleapis.com/generate_content_requests',
};

const SERVER: Record<Provider, readonly string[]> = {
  anthropic: ['529 overloaded_error: Overloaded', '500 api_error: Internal server error'],
  openai: ['500 The server had an error while processing your request', '503 Service Unavailable'],
  google: [
    '503 UNAVAILABLE: The model is overloaded. Please try again later.',
    '500 INTERNAL: An internal error has occurred',
  ],
};

const CONNECTION: readonly string[] = [
  'ECONNRESET: socket hang up',
  'connect ECONNREFUSED',
  'ETIMEDOUT: connect timed out',
];

export function timeoutError(): SimError {
  return { type: 'timeout', message: `Request timed out after ${CLIENT_TIMEOUT_MS}ms` };
}

export function rateLimitError(provider: Provider): SimError {
  return { type: 'rate_limit', message: RATE_LIMIT[provider] };
}

export function serverError(provider: Provider, u: number): SimError {
  const list = SERVER[provider];
  return { type: 'server_error', message: list[Math.floor(u * list.length)] ?? list[0] ?? '500' };
}

export function connectionError(u: number): SimError {
  return { type: 'connection_error', message: CONNECTION[Math.floor(u * CONNECTION.length)] ?? 'ECONNRESET' };
}

/** Baseline mix: 40% rate limits, 40% 5xx, 20% timeouts. */
export function baselineError(provider: Provider, u: number): SimError {
  if (u < 0.4) return rateLimitError(provider);
  if (u < 0.8) return serverError(provider, (u - 0.4) / 0.4);
  return timeoutError();
}

/** A string the collector has never seen; the request id varies, as it does in real logs. */
export function novelError(rng: Rng): SimError {
  return {
    type: 'validation_error',
    message: `ValidationError: tool_call.arguments missing field 'sku' (req ${hexId(rng, 12)})`,
  };
}
