// The identity of a finding: the same problem has the same key on head and base, and across runs.
import { describe, expect, it } from 'vitest';
import { findingKeys, normaliseMessage, normaliseUrl, pageRoute } from '../../src/report/identity.js';

describe('finding keys', () => {
  it('ignore what changes between two runs of the same code: ports, line numbers, hashes, ids', () => {
    expect(
      findingKeys.pageError(
        'TypeError: x is undefined (at http://127.0.0.1:41234/assets/index-4f3a2b1c.js:3:9)',
      ),
    ).toBe(
      findingKeys.pageError(
        'Uncaught TypeError: x is undefined (at http://127.0.0.1:50999/assets/index-9e8d7c6b.js:12:40)',
      ),
    );
    expect(
      findingKeys.request('get', 'http://127.0.0.1:4000/api/notes/12345?v=1', 500, ['http://127.0.0.1:4000']),
    ).toBe(
      findingKeys.request('GET', 'http://127.0.0.1:5000/api/notes/67890?v=2', 503, ['http://127.0.0.1:5000']),
    );
  });

  it('keep apart what is a different problem: another message, path, status class or kind', () => {
    expect(findingKeys.pageError('TypeError: a')).not.toBe(findingKeys.pageError('TypeError: b'));
    expect(findingKeys.request('GET', '/api/a', 500, [])).not.toBe(
      findingKeys.request('GET', '/api/b', 500, []),
    );
    expect(findingKeys.request('GET', '/api/a', 404, [])).not.toBe(
      findingKeys.request('GET', '/api/a', 500, []),
    );
    expect(findingKeys.page('http://h:1/x', 404, true)).not.toBe(
      findingKeys.page('http://h:1/x', 404, false),
    );
  });

  it('leave out our own note of which requests a page was refused (it differs from page to page)', () => {
    const blocked = (urls: string) =>
      `TypeError: Failed to fetch (myfav-coworker blocked this page's requests to other origins: ${urls})`;
    expect(normaliseMessage(blocked('https://api.example.com/articles?limit=10'))).toBe(
      normaliseMessage(blocked('https://api.example.com/user, https://api.example.com/tags')),
    );
  });

  it('treat a hash route as part of the page, an anchor not', () => {
    expect(pageRoute('http://h:1/#/settings')).toBe('/#/settings');
    expect(pageRoute('http://h:1/about#team')).toBe('/about');
    expect(normaliseUrl('http://h:1/#!/a', ['http://h:1'])).toBe('/#!/a');
  });
});
