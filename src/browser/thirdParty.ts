// Third-party stylesheets, fonts and images: real apps load them (Google Fonts, a CDN's CSS, avatars),
// and without them screenshots do not look like the app. The browser itself still resolves only the
// allowed hosts, so nothing it sends of its own accord — a navigation, a fetch, a redirect, a form post —
// leaves them; these few subresource GETs are fetched here instead and handed to the page.
//
// Only public hosts: a name that resolves to a loopback, private or link-local address (another local
// service, a cloud metadata endpoint) is refused, so an image tag cannot become a request to the machine's
// own services.

import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { Request, Route } from 'playwright-core';

const SUBRESOURCE_TYPES = new Set(['stylesheet', 'font', 'image']);
const FETCH_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 3;

const privateRanges = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 3],
] as const) {
  privateRanges.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['::ffff:0:0', 96],
] as const) {
  privateRanges.addSubnet(net, prefix, 'ipv6');
}

/** A GET for a stylesheet, font or image that the page itself asked for (not a navigation). */
export function isThirdPartySubresource(request: Request): boolean {
  return (
    request.method() === 'GET' &&
    !request.isNavigationRequest() &&
    SUBRESOURCE_TYPES.has(request.resourceType()) &&
    /^https?:$/.test(new URL(request.url()).protocol)
  );
}

/** Whether every address the host resolves to is public (an IP literal is checked as it is). */
export async function isPublicHost(hostname: string): Promise<boolean> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host.endsWith('.localhost')) return false;
  const addresses = isIP(host)
    ? [{ address: host, family: isIP(host) }]
    : await lookup(host, { all: true }).catch(() => []);
  if (addresses.length === 0) return false;
  return addresses.every(
    ({ address, family }) => !privateRanges.check(address, family === 6 ? 'ipv6' : 'ipv4'),
  );
}

/**
 * Fetch the request on our side and fulfil it. False when the host is not public or the fetch failed
 * (the caller then aborts the request, as for any other blocked one).
 */
export async function fulfilThirdParty(route: Route): Promise<boolean> {
  let url = new URL(route.request().url());
  try {
    // Redirects are followed here, one at a time, so that each hop's host is checked before it is asked.
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (!/^https?:$/.test(url.protocol) || !(await isPublicHost(url.hostname))) return false;
      const response = await route.fetch({ url: url.href, maxRedirects: 0, timeout: FETCH_TIMEOUT_MS });
      const location = response.headers().location;
      if (response.status() >= 300 && response.status() < 400 && location) {
        url = new URL(location, url);
        continue;
      }
      await route.fulfill({ response });
      return true;
    }
    return false;
  } catch {
    return false;
  }
}
