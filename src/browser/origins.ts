// Which URLs the browser may reach: the app's origin and the origins the user allowed, over http(s) only.
// The crawl stays on the app, and the AI agent (which reads untrusted page text) cannot be talked into
// sending anything elsewhere.

import { CoworkerError } from '../errors.js';

export interface OriginPolicy {
  /** The app origin (scheme://host:port). */
  readonly origin: string;
  /** Every allowed origin, the app origin first. */
  readonly allowed: readonly string[];
  isAllowed(url: string): boolean;
  /** Same origin as the app itself (not merely allowed). */
  isAppOrigin(url: string): boolean;
}

export function createOriginPolicy(appOrigin: string, allowedOrigins: readonly string[] = []): OriginPolicy {
  const origin = toOrigin(appOrigin, 'app origin');
  const allowed = [...new Set([origin, ...allowedOrigins.map((o) => toOrigin(o, 'allowed origin'))])];
  const allowedSet = new Set(allowed);
  const originOf = (url: string): string | null => {
    try {
      const u = new URL(url);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
    } catch {
      return null;
    }
  };
  return {
    origin,
    allowed,
    isAllowed: (url) => {
      const o = originOf(url);
      return o !== null && allowedSet.has(o);
    },
    isAppOrigin: (url) => originOf(url) === origin,
  };
}

/**
 * Chromium `--host-resolver-rules` that make every host except the allowed ones fail to resolve.
 * Routing cannot stop a server redirect to another origin (Playwright continues redirects without asking
 * the route handler), and it never sees the browser's own background requests (Google sign-in and
 * component-update pings even with Playwright's flags): with this rule neither leaves the machine, except
 * to another port of an allowed host. The rule applies to IP literals too, so they are excluded like names.
 */
export function hostResolverRules(hosts: readonly string[]): string {
  return ['MAP * ~NOTFOUND', ...hosts.map((h) => `EXCLUDE ${h}`)].join(', ');
}

/** The hosts of the allowed origins, as the resolver rules name them. */
export function resolverHosts(policy: OriginPolicy): string[] {
  // IPv6 hosts are matched without their URL brackets ("::1", not "[::1]").
  return [...new Set(policy.allowed.map((o) => new URL(o).hostname.replace(/^\[(.*)\]$/, '$1')))];
}

function toOrigin(value: string, what: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new CoworkerError(
      'INVALID_INPUT',
      `The ${what} "${value}" is not a URL.`,
      'Use a full URL such as http://localhost:3000.',
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new CoworkerError(
      'INVALID_INPUT',
      `The ${what} "${value}" is not an http(s) URL.`,
      'Use a full URL such as http://localhost:3000.',
    );
  }
  return u.origin;
}
