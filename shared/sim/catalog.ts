/**
 * The simulated fleet: which services exist, which models they call, and what "normal" looks
 * like for each. Numbers are plausible production shapes, not benchmarks: a few hundred ms to
 * first token for small models, seconds for large ones, and generation speed in tokens/s.
 */
import type { Weighted } from './random.js';

export type Provider = 'anthropic' | 'openai' | 'google';

export interface ModelProfile {
  provider: Provider;
  model: string;
  /** Median time before generation starts (network + queue + prefill), ms. */
  baseLatencyMs: number;
  /** Median generation speed; latency grows by outputTokens / tokensPerSec. */
  tokensPerSec: number;
}

/** Every model here must exist in shared/pricing/prices.ts (a unit test checks it). */
export const MODELS: readonly ModelProfile[] = [
  { provider: 'anthropic', model: 'claude-opus-4', baseLatencyMs: 1800, tokensPerSec: 40 },
  { provider: 'anthropic', model: 'claude-sonnet-4', baseLatencyMs: 900, tokensPerSec: 75 },
  { provider: 'anthropic', model: 'claude-haiku-4', baseLatencyMs: 400, tokensPerSec: 160 },
  { provider: 'openai', model: 'gpt-4o', baseLatencyMs: 600, tokensPerSec: 90 },
  { provider: 'openai', model: 'gpt-4o-mini', baseLatencyMs: 450, tokensPerSec: 130 },
  { provider: 'openai', model: 'gpt-4.1', baseLatencyMs: 700, tokensPerSec: 85 },
  { provider: 'google', model: 'gemini-2.5-pro', baseLatencyMs: 1500, tokensPerSec: 70 },
  { provider: 'google', model: 'gemini-2.5-flash', baseLatencyMs: 350, tokensPerSec: 200 },
];

const modelByName = new Map(MODELS.map((m) => [m.model, m]));

export function modelProfile(model: string): ModelProfile {
  const m = modelByName.get(model);
  if (!m) throw new Error(`unknown simulated model: ${model}`);
  return m;
}

/** Spread of the pre-generation latency and of generation speed (log-normal sigmas). */
export const LATENCY_SIGMA = 0.35;
export const THROUGHPUT_SIGMA = 0.15;

export interface TokenShape {
  median: number;
  sigma: number;
}

export interface EvalSuiteProfile {
  suite: string;
  /** Long-run accuracy when nothing is wrong. */
  baseAccuracy: number;
  /** Items per run. */
  total: number;
  /** Minute past the hour at which the scheduled run reports (staggered per suite). */
  minuteOfHour: number;
}

export interface ServiceProfile {
  service: string;
  /** Fraction of total traffic at peak. */
  share: number;
  /** Rate multiplier on Saturday and Sunday (developer tools go quiet, shopping does not). */
  weekendFactor: number;
  models: readonly Weighted<string>[];
  inputTokens: TokenShape;
  outputTokens: TokenShape;
  labels: readonly Weighted<string>[];
  /** Present for RAG services: probability that retrieval found a relevant document. */
  retrievalHitRate?: number;
  /** Fraction of successful requests that get a thumbs up/down. */
  feedbackRate: number;
  /** Of those, the fraction that is thumbs down. */
  downShare: number;
  eval: EvalSuiteProfile;
}

export const SERVICES: readonly ServiceProfile[] = [
  {
    service: 'checkout-assistant',
    share: 0.3,
    weekendFactor: 0.85,
    models: [
      { value: 'claude-sonnet-4', weight: 0.5 },
      { value: 'gpt-4o-mini', weight: 0.3 },
      { value: 'gemini-2.5-flash', weight: 0.2 },
    ],
    inputTokens: { median: 1800, sigma: 0.5 },
    outputTokens: { median: 220, sigma: 0.6 },
    labels: [
      { value: 'answer', weight: 0.7 },
      { value: 'clarify', weight: 0.14 },
      { value: 'handoff', weight: 0.09 },
      { value: 'refusal', weight: 0.07 },
    ],
    feedbackRate: 0.03,
    downShare: 0.12,
    eval: { suite: 'checkout-intents', baseAccuracy: 0.92, total: 200, minuteOfHour: 5 },
  },
  {
    service: 'support-bot',
    share: 0.35,
    weekendFactor: 0.6,
    models: [
      { value: 'claude-haiku-4', weight: 0.55 },
      { value: 'gpt-4o', weight: 0.3 },
      { value: 'claude-sonnet-4', weight: 0.15 },
    ],
    inputTokens: { median: 2500, sigma: 0.45 },
    outputTokens: { median: 300, sigma: 0.55 },
    labels: [
      { value: 'answer', weight: 0.62 },
      { value: 'clarify', weight: 0.15 },
      { value: 'handoff', weight: 0.16 },
      { value: 'refusal', weight: 0.07 },
    ],
    retrievalHitRate: 0.82,
    feedbackRate: 0.05,
    downShare: 0.15,
    eval: { suite: 'support-golden', baseAccuracy: 0.9, total: 250, minuteOfHour: 12 },
  },
  {
    service: 'search-rag',
    share: 0.25,
    weekendFactor: 0.5,
    models: [
      { value: 'gemini-2.5-flash', weight: 0.5 },
      { value: 'gpt-4.1', weight: 0.3 },
      { value: 'gemini-2.5-pro', weight: 0.2 },
    ],
    inputTokens: { median: 4000, sigma: 0.4 },
    outputTokens: { median: 180, sigma: 0.5 },
    labels: [
      { value: 'answer', weight: 0.78 },
      { value: 'no_answer', weight: 0.12 },
      { value: 'clarify', weight: 0.1 },
    ],
    retrievalHitRate: 0.86,
    feedbackRate: 0.02,
    downShare: 0.2,
    eval: { suite: 'search-rag-faithfulness', baseAccuracy: 0.88, total: 300, minuteOfHour: 19 },
  },
  {
    service: 'code-review',
    share: 0.1,
    weekendFactor: 0.15,
    models: [
      { value: 'claude-opus-4', weight: 0.35 },
      { value: 'gpt-4.1', weight: 0.35 },
      { value: 'claude-sonnet-4', weight: 0.3 },
    ],
    inputTokens: { median: 9000, sigma: 0.7 },
    outputTokens: { median: 700, sigma: 0.6 },
    labels: [
      { value: 'approve', weight: 0.45 },
      { value: 'comment', weight: 0.4 },
      { value: 'request_changes', weight: 0.15 },
    ],
    feedbackRate: 0.04,
    downShare: 0.18,
    eval: { suite: 'code-review-bugs', baseAccuracy: 0.86, total: 150, minuteOfHour: 33 },
  },
];

export function serviceProfile(service: string): ServiceProfile | undefined {
  return SERVICES.find((s) => s.service === service);
}

export function suiteService(suite: string): string | undefined {
  return SERVICES.find((s) => s.eval.suite === suite)?.service;
}
