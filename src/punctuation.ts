// Messages are often built from pieces that already end a sentence: "…: ${reason}." where the reason
// is "Invalid env provided." gives "Invalid env provided..". Tidied where sentences meet (before a
// space or the end), so paths such as "../x" and ellipses "..." are left alone.

export function tidyPunctuation(text: string): string {
  return text
    .replace(/(?<![.\s])\.\.(?=\s|$)/g, '.')
    .replace(/([!?]|\.\))\.(?=\s|$)/g, '$1')
    .replace(/[:;,]\.(?=\s|$)/g, '.');
}
