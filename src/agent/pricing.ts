// Prices of the Claude models, in US dollars per million tokens: the one place to update when they change
// (https://www.anthropic.com/pricing). Cache writes (5-minute TTL) cost 1.25× input, cache reads 0.1× input.
// A model not in the table is priced as a Sonnet and the cost is marked as an estimate.

export interface ModelPrice {
  input: number;
  output: number;
}

/** By family: the model id starts with the key (longest match wins). */
const PRICES: Record<string, ModelPrice> = {
  'claude-opus': { input: 5, output: 25 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4-0': { input: 15, output: 75 },
  'claude-sonnet': { input: 3, output: 15 },
  'claude-haiku': { input: 1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
};
const FALLBACK: ModelPrice = { input: 3, output: 15 };
const CACHE_WRITE = 1.25;
const CACHE_READ = 0.1;

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export function priceOf(model: string): { price: ModelPrice; known: boolean } {
  const key = Object.keys(PRICES)
    .filter((k) => model === k || model.startsWith(`${k}-`) || model.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return key ? { price: PRICES[key]!, known: true } : { price: FALLBACK, known: false };
}

/** Estimated cost in USD, rounded to 1/10,000 of a dollar. */
export function estimateCost(model: string, usage: TokenCounts): number {
  const { price } = priceOf(model);
  const perToken = (perMillion: number) => perMillion / 1_000_000;
  const cost =
    usage.inputTokens * perToken(price.input) +
    usage.cacheWriteTokens * perToken(price.input * CACHE_WRITE) +
    usage.cacheReadTokens * perToken(price.input * CACHE_READ) +
    usage.outputTokens * perToken(price.output);
  return Math.round(cost * 10_000) / 10_000;
}
