import { describe, expect, it } from 'vitest';
import { findingsFromCrawl } from '../../src/report/findings.js';
import type { PageResult } from '../../src/report/model.js';
import { serverLogExcerpt } from '../../src/report/serverLog.js';

const log = [
  '$ npm run start',
  'listening on http://127.0.0.1:4000',
  'GET /api/notes 200',
  'GET /api/stats failed: TypeError: Cannot read properties of undefined',
  '    at computeStats (server.js:94:33)',
  '    at handle (server.js:120:5)',
  '    at Server.emit (node:events:1)',
  '    at more (x.js:1:1)',
  'GET /api/notes 200',
].join('\n');

describe('serverLogExcerpt', () => {
  it('quotes the last line naming the failing path and the stack after it', () => {
    expect(serverLogExcerpt(log, '/api/stats')).toEqual([
      'GET /api/stats failed: TypeError: Cannot read properties of undefined',
      '    at computeStats (server.js:94:33)',
      '    at handle (server.js:120:5)',
      '    at Server.emit (node:events:1)',
    ]);
  });

  it('falls back to the last error-looking lines, and to nothing', () => {
    expect(serverLogExcerpt('boot\nError: database is locked\nok', '/x')).toEqual([
      'Error: database is locked',
    ]);
    expect(serverLogExcerpt('all good\n', '/x')).toEqual([]);
  });
});

describe('a 5xx finding', () => {
  const page: PageResult = {
    url: 'http://127.0.0.1:4000/stats.html',
    path: '/stats.html',
    status: 200,
    title: 'Stats',
    via: 'link',
    loadMs: 10,
    screenshot: 'screenshots/01.png',
    pageErrors: [],
    consoleErrors: [],
    failedRequests: [
      { url: 'http://127.0.0.1:4000/api/stats', method: 'GET', status: 500 },
      { url: 'http://127.0.0.1:4000/missing.png', method: 'GET', status: 404 },
    ],
    links: [],
  };

  it('carries the app log and the lines explaining it; a 4xx does not', () => {
    const findings = findingsFromCrawl(
      { pages: [page], brokenLinks: [] },
      { appLog: { text: log, file: 'app.log' } },
    );
    const serverError = findings.find((f) => f.title.includes('/api/stats'));
    expect(serverError?.evidence).toContain('app.log');
    expect(serverError?.evidence.join('\n')).toContain('Server log: GET /api/stats failed: TypeError');
    const notFound = findings.find((f) => f.title.includes('/missing.png'));
    expect(notFound?.evidence).not.toContain('app.log');
  });
});
