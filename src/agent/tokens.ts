// A documented token estimate for budgeting ahead of a request and for the benchmark when no API key is
// at hand: ~4 characters per token for English text, code and accessibility snapshots (Anthropic's own
// rule of thumb), and width × height / 750 for images (Anthropic's formula for image tokens). Real counts
// come from the API's `usage` (and `messages.countTokens`); this only decides whether a next request fits.

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function estimateImageTokens(width: number, height: number): number {
  return Math.ceil((width * height) / 750);
}
