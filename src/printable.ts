/**
 * Text from a PR, a page or an app's output, safe to write to a terminal: no control characters (they
 * would move the cursor or rewrite what is around them) and no bidi overrides; tabs and newlines stay.
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}
