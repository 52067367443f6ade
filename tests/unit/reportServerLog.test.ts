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

  it('falls back to a JavaScript error and its first frames when no line names the path', () => {
    const nodeLog = [
      '> node server.js',
      'api: ReferenceError: NOTES is not defined',
      '    at Server.<anonymous> (/w/server/server.js:1:191)',
      '    at Server.emit (node:events:514:28)',
      '    at parserOnIncoming (node:_http_server:1293:12)',
      '    at HTTPParser.parserOnHeadersComplete (node:_http_common:125:17)',
    ].join('\n');
    expect(serverLogExcerpt(nodeLog, '/api/notes')).toEqual([
      'api: ReferenceError: NOTES is not defined',
      '    at Server.<anonymous> (/w/server/server.js:1:191)',
      '    at Server.emit (node:events:514:28)',
      '    at parserOnIncoming (node:_http_server:1293:12)',
    ]);
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

  it("quotes a service's error when neither log names the path and the app's has no error", () => {
    const findings = findingsFromCrawl(
      { pages: [page], brokenLinks: [] },
      {
        appLog: { text: '> node proxy.js\nlistening', file: 'app.log' },
        serviceLogs: [
          { text: 'db ready', file: 'services/db.log' },
          { text: 'TypeError: stats is undefined\n    at handler (api.js:3:1)', file: 'services/api.log' },
        ],
      },
    );
    const serverError = findings.find((f) => f.title.includes('/api/stats'));
    expect(serverError?.evidence).toContain('services/api.log');
    expect(serverError?.evidence).toContain(
      'Server log (services/api.log): TypeError: stats is undefined\n    at handler (api.js:3:1)',
    );
  });

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

describe('serverLogExcerpt of a Python server (uvicorn)', () => {
  const pyLog = [
    'INFO:     127.0.0.1:1 - "GET /api/products HTTP/1.1" 200 OK',
    'INFO:     127.0.0.1:2 - "GET /api/products HTTP/1.1" 500 Internal Server Error',
    'ERROR:    Exception in ASGI application',
    'Traceback (most recent call last):',
    '  File "/usr/lib/python3/dist-packages/uvicorn/protocols/http/h11_impl.py", line 366, in run_asgi',
    '    result = await app(self.scope, self.receive, self.send)',
    '             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
    '  File "/work/shop/api/app/main.py", line 30, in list_products',
    '    cur.execute("SELECT id, name, price FROM products ORDER BY id")',
    '  File "/home/u/.venv/lib/python3.11/site-packages/pymysql/cursors.py", line 148, in execute',
    '    result = self._query(query)',
    "pymysql.err.OperationalError: (1054, \"Unknown column 'price' in 'SELECT'\")",
    'INFO:     127.0.0.1:3 - "GET /api/products/2 HTTP/1.1" 200 OK',
  ].join('\n');

  it("quotes the request, the app's own frames and the exception, not the framework's", () => {
    expect(serverLogExcerpt(pyLog, '/api/products')).toEqual([
      'INFO:     127.0.0.1:2 - "GET /api/products HTTP/1.1" 500 Internal Server Error',
      'Traceback (most recent call last):',
      '  File "/work/shop/api/app/main.py", line 30, in list_products',
      '    cur.execute("SELECT id, name, price FROM products ORDER BY id")',
      "pymysql.err.OperationalError: (1054, \"Unknown column 'price' in 'SELECT'\")",
    ]);
  });

  it('does not take a longer path for the one asked about, and quotes nothing of an unrelated log when asked not to', () => {
    expect(serverLogExcerpt('GET /api/products/2 500\nError: x', '/api/products', false)).toEqual([]);
  });
});
