// Secrets that could reach text we write (logs, reports, error messages) are masked here.
// Token formats: GitHub (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_) and Anthropic (sk-ant-).

const tokenPattern = /\b(gh[pousr]_[A-Za-z0-9]{8,}|github_pat_[A-Za-z0-9_]{8,}|sk-ant-[A-Za-z0-9_-]{8,})/g;
const authHeaderPattern = /(authorization:\s*(?:bearer|token|basic)\s+)[^\s"']+/gi;

const knownSecrets = new Set<string>();

/** Register a secret (a token read from the keychain, an API key) so every redaction masks it. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 6) knownSecrets.add(secret);
}

export function redactSecrets(text: string): string {
  let out = text
    .replace(tokenPattern, (m) => `${m.slice(0, 4)}…[redacted]`)
    .replace(authHeaderPattern, '$1[redacted]');
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
}
