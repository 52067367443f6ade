// Host allowlist entries: "registry.example.com" (any port), "*.example.com" (any subdomain),
// "127.0.0.1:4873" (that port only), "[::1]:8080".

export interface HostRule {
  /** Lower-case host name or IP; a leading "*." matches any subdomain. */
  host: string;
  /** undefined = any port. */
  port?: number;
}

/** Parse one entry; undefined when it is not a host (e.g. a URL with a path). */
export function parseHostRule(entry: string): HostRule | undefined {
  const text = entry.trim().toLowerCase();
  const m = /^(\*\.)?(\[[0-9a-f:.]+\]|[a-z0-9.-]+|[0-9a-f:]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const host = `${m[1] ?? ''}${(m[2] ?? '').replace(/^\[(.*)\]$/, '$1')}`;
  return m[3] === undefined ? { host } : { host, port: Number(m[3]) };
}

/** The host (and explicit port) of a URL such as a registry's. */
export function hostRuleOfUrl(url: string): HostRule | undefined {
  try {
    const u = new URL(url);
    if (!u.hostname) return undefined;
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : u.protocol === 'http:' ? 80 : 0));
    return port ? { host, port } : { host };
  } catch {
    return undefined;
  }
}

export function hostAllowed(rules: HostRule[], host: string, port: number): boolean {
  const h = host.toLowerCase();
  return rules.some(
    (r) =>
      (r.port === undefined || r.port === port) &&
      (r.host === h || (r.host.startsWith('*.') && h.endsWith(r.host.slice(1)))),
  );
}

export function formatHostRule(rule: HostRule): string {
  const host = rule.host.includes(':') ? `[${rule.host}]` : rule.host;
  return rule.port === undefined ? host : `${host}:${rule.port}`;
}
