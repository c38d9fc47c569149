/**
 * Versioned list prices, USD per million tokens. `takenOn` is the date the prices were read
 * from the providers' public pricing pages; bump `PRICE_TABLE_VERSION` when they change.
 */
export const PRICE_TABLE_VERSION = '2026-11-01';

export interface ModelPrice {
  provider: string;
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
  takenOn: string;
}

export const PRICES: readonly ModelPrice[] = [
  { provider: 'anthropic', model: 'claude-opus-4', inputPerMTok: 15, outputPerMTok: 75, takenOn: '2026-11-01' },
  { provider: 'anthropic', model: 'claude-sonnet-4', inputPerMTok: 3, outputPerMTok: 15, takenOn: '2026-11-01' },
  { provider: 'anthropic', model: 'claude-haiku-4', inputPerMTok: 1, outputPerMTok: 5, takenOn: '2026-11-01' },
  { provider: 'openai', model: 'gpt-4o', inputPerMTok: 2.5, outputPerMTok: 10, takenOn: '2026-11-01' },
  { provider: 'openai', model: 'gpt-4o-mini', inputPerMTok: 0.15, outputPerMTok: 0.6, takenOn: '2026-11-01' },
  { provider: 'openai', model: 'gpt-4.1', inputPerMTok: 2, outputPerMTok: 8, takenOn: '2026-11-01' },
  { provider: 'google', model: 'gemini-2.5-pro', inputPerMTok: 1.25, outputPerMTok: 10, takenOn: '2026-11-01' },
  { provider: 'google', model: 'gemini-2.5-flash', inputPerMTok: 0.3, outputPerMTok: 2.5, takenOn: '2026-11-01' },
];

const byKey = new Map(PRICES.map((p) => [`${p.provider}/${p.model}`, p]));

export function findPrice(provider: string, model: string): ModelPrice | undefined {
  return byKey.get(`${provider}/${model}`);
}

/** Cost in USD, or `undefined` when the model is not in the table (callers flag it; never price as zero). */
export function priceRequest(
  provider: string,
  model: string,
  inputTokens: number,
  outputTokens: number,
): number | undefined {
  const p = findPrice(provider, model);
  if (!p) return undefined;
  return (inputTokens * p.inputPerMTok + outputTokens * p.outputPerMTok) / 1_000_000;
}
