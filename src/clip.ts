// The one way text is shortened for a reader or a model, so every face counts and marks a cut alike.

/** At most `max` characters: when cut, the kept start (trailing spaces dropped) and "…" as the last one. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${keepWhole(text.slice(0, Math.max(0, max - 1))).trimEnd()}…`;
}

/** The first `max` characters and how many more were cut, for text a model reads (it should know). */
export function clipNoting(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max).join('')}… [${chars.length - max} more characters]`;
}

/** Never end inside a surrogate pair (half an emoji prints as garbage). */
function keepWhole(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text;
}
