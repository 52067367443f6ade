import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { announcedUrls } from '../../src/app/announcedUrl.js';
import { pinnedPort, portFlagsFor } from '../../src/app/devServerPort.js';
import { installFailureHint } from '../../src/app/installHints.js';
import { pinnedVersion, runnerFor } from '../../src/app/pinnedPackageManager.js';
import { parseDotenv } from '../../src/config/dotenvFile.js';
import { matchRepoKey } from '../../src/config/jobSettings.js';
import { parseRepoConfig } from '../../src/config/load.js';
import { CoworkerError } from '../../src/errors.js';
import { tidyPunctuation } from '../../src/punctuation.js';
import { applyIgnoreRules, ignoredNote } from '../../src/report/ignore.js';
import type { Finding } from '../../src/report/model.js';

describe('port flags per dev server', () => {
  const cases: Array<[script: string, flags: string]> = [
    ['vite', '--port $PORT --strictPort --host 127.0.0.1'],
    ['vite dev --open', '--port $PORT --strictPort --host 127.0.0.1'],
    ['cross-env NODE_ENV=development vite', '--port $PORT --strictPort --host 127.0.0.1'],
    ['vite --port 3000', ''],
    ['astro dev', '--port $PORT --host 127.0.0.1'],
    ['astro dev --host', '--port $PORT'],
    ['react-router dev', '--port $PORT --strictPort --host 127.0.0.1'],
    ['remix vite:dev', '--port $PORT --strictPort --host 127.0.0.1'],
    ['ng serve', '--port $PORT --host 127.0.0.1'],
    ['webpack serve --mode development', '--port $PORT --host 127.0.0.1'],
    ['webpack-dev-server', '--port $PORT --host 127.0.0.1'],
    ['vue-cli-service serve', '--port $PORT --host 127.0.0.1'],
    ['gatsby develop', '-p $PORT -H 127.0.0.1'],
    ['storybook dev -p 6006', ''],
    ['storybook dev', '-p $PORT --host 127.0.0.1 --ci'],
    // These read PORT themselves.
    ['next dev', ''],
    ['nuxt dev', ''],
    ['react-scripts start', ''],
    // The flags land on the last command of a chain; anything else is not ours to rewrite.
    ['npm run build:css && vite', '--port $PORT --strictPort --host 127.0.0.1'],
    ['concurrently "vite" "node api.js"', ''],
    ['vite & node api.js', ''],
    ['vite | tee log', ''],
  ];
  for (const [script, flags] of cases) {
    it(`${script} → ${flags || 'nothing'}`, () => {
      expect(portFlagsFor(script, '$PORT').flags).toBe(flags);
    });
  }
});

describe('a port pinned in a start command (head and base then take turns)', () => {
  it('is a literal --port, -p or PORT=; our $PORT is none', () => {
    expect(pinnedPort('astro dev --port 4321')).toBe(4321);
    expect(pinnedPort('vite --port=5173 --strictPort')).toBe(5173);
    expect(pinnedPort('next dev -p 3000')).toBe(3000);
    expect(pinnedPort('PORT=8080 node server.js')).toBe(8080);
    expect(pinnedPort('npm run dev -- --port $PORT --host 127.0.0.1')).toBeUndefined();
    expect(pinnedPort('tsc -p tsconfig.json && node server.js')).toBeUndefined();
    expect(pinnedPort('node server.js')).toBeUndefined();
  });
});

describe('pinned package managers', () => {
  const opts = (installed: string | undefined) => ({
    installDir: '/nonexistent/app',
    checkoutDir: '/nonexistent',
    installed: () => installed,
  });

  it("reads corepack's field, hash included", () => {
    expect(pinnedVersion({ packageManager: 'pnpm@8.15.4+sha512.abc' }, 'pnpm')).toBe('8.15.4');
    expect(pinnedVersion({ packageManager: 'yarn@4.1.0' }, 'pnpm')).toBeUndefined();
    expect(pinnedVersion({}, 'pnpm')).toBeUndefined();
  });

  it('the installed one when its major matches the pin, else the pinned one through npx', () => {
    expect(runnerFor('pnpm', '9.1.0', opts('9.12.3'))).toEqual({
      command: 'pnpm',
      description: 'pnpm 9.12.3 on PATH (package.json pins pnpm@9.1.0: same major version)',
    });
    expect(runnerFor('pnpm', '8.15.4', opts('10.2.0'))).toEqual({
      command: 'npx --yes pnpm@8.15.4',
      description: 'pnpm 8.15.4 through npx (package.json pins pnpm@8.15.4; pnpm on PATH is 10.2.0)',
    });
    expect(runnerFor('yarn', '4.1.0', opts(undefined)).command).toBe(
      'npx --yes -p @yarnpkg/cli-dist@4.1.0 yarn',
    );
    expect(runnerFor('yarn', '1.22.19', opts(undefined)).command).toBe('npx --yes yarn@1.22.19');
    // npm reads every lockfile since npm 7: the one with Node is used.
    expect(runnerFor('npm', '9.0.0', opts('11.0.0')).command).toBe('npm');
    // Neither pinned nor installed: the major the lockfile's format needs.
    const lock = path.join(mkdtempSync(path.join(tmpdir(), 'myfav-lock-')), 'pnpm-lock.yaml');
    writeFileSync(lock, "lockfileVersion: '6.0'\n");
    const checkoutDir = path.dirname(lock);
    expect(runnerFor('pnpm', undefined, { ...opts(undefined), checkoutDir, lockfile: lock }).command).toBe(
      'npx --yes pnpm@8',
    );
    rmSync(path.dirname(lock), { recursive: true, force: true });
    // Not pinned: whatever is there.
    expect(runnerFor('pnpm', undefined, opts('9.0.0'))).toEqual({
      command: 'pnpm',
      description: 'pnpm 9.0.0 on PATH',
    });
  });
});

describe('announced URLs in an app log', () => {
  it('finds loopback URLs with ports, colour codes removed, each port once', () => {
    const log =
      '\u001b[32m  ➜  Local:   \u001b[1mhttp://localhost:5174/\u001b[22m\n  ➜  Network: http://192.168.1.4:5174/\n' +
      ' ┃ Local    http://localhost:4321/\nready - started server on 0.0.0.0:3000, url: http://localhost:3000\nagain http://localhost:4321/docs';
    expect(announcedUrls(log).map((u) => u.href)).toEqual([
      'http://localhost:5174/',
      'http://localhost:4321/',
      'http://localhost:3000/',
    ]);
  });
});

describe('ignore rules', () => {
  const finding = (kind: Finding['kind'], title: string, evidence: string[] = [], page = '/'): Finding => ({
    severity: 'error',
    kind,
    title,
    page,
    detail: title,
    evidence,
  });
  const findings = [
    finding('failed-request', 'GET /_vercel/insights/script.js returned HTTP 404', [
      'GET http://127.0.0.1:4000/_vercel/insights/script.js → HTTP 404',
    ]),
    finding('console-error', 'Console error: Download the React DevTools for a better experience'),
    finding('failed-request', 'GET https://fonts.googleapis.com/css2 failed (net::ERR_NAME_NOT_RESOLVED)', [
      'GET https://fonts.googleapis.com/css2?family=Inter → net::ERR_NAME_NOT_RESOLVED',
    ]),
    finding('page-error', 'Uncaught TypeError: x is undefined'),
  ];

  it('url globs, console text or /regex/, kinds; all fields of a rule must match; counted with reasons', () => {
    const { kept, ignored } = applyIgnoreRules(findings, [
      { url: '/_vercel/*', reason: 'hosting-only' },
      { console: '/react devtools/i', reason: 'dev noise' },
      { url: 'https://fonts.googleapis.com/*', kind: 'failed-request', reason: 'offline fonts' },
      // Does not match: the console text is not in a page error.
      { console: 'nothing like it', kind: 'page-error', reason: 'never' },
    ]);
    expect(kept.map((f) => f.kind)).toEqual(['page-error']);
    expect(ignored.map((i) => i.rule.reason)).toEqual(['hosting-only', 'dev noise', 'offline fonts']);
    expect(ignoredNote(ignored)).toMatch(
      /^Ignored \(3\) by the config's "ignore" rules — url \/_vercel\/\* \(hosting-only\): error "GET/,
    );
  });

  it('a rule needs something to match and a reason (config errors name the field)', () => {
    const invalid = (text: string) => {
      try {
        parseRepoConfig(text);
      } catch (err) {
        return (err as CoworkerError).message;
      }
      return 'valid';
    };
    expect(invalid('{"ignore":[{"reason":"x"}]}')).toMatch(/an ignore rule needs "url", "console" or "kind"/);
    expect(invalid('{"ignore":[{"url":"/x"}]}')).toMatch(/field "ignore.0.reason"/);
    expect(invalid('{"ignore":[{"kind":"note","reason":"x"}]}')).toMatch(/field "ignore.0.kind"/);
  });

  it('silences a page meant to look empty (a canvas editor) by kind and path, and no other page', () => {
    const config = parseRepoConfig(
      '{"ignore":[{"kind":"blank-page","url":"/editor","reason":"the editor draws on a canvas"}]}',
    );
    const blank = (page: string): Finding => ({
      ...finding('blank-page', `${page} stayed blank`, [], page),
      severity: 'warning',
    });
    const { kept, ignored } = applyIgnoreRules([blank('/editor'), blank('/dashboard')], config.ignore ?? []);
    expect(kept.map((f) => f.page)).toEqual(['/dashboard']);
    expect(ignoredNote(ignored)).toBe(
      'Ignored (1) by the config\'s "ignore" rules — kind blank-page, url /editor (the editor draws on a canvas): warning "/editor stayed blank"',
    );
  });
});

describe('small things', () => {
  it('tidies punctuation where sentences meet, not in paths or ellipses', () => {
    expect(tidyPunctuation('Opening / failed: Invalid env provided..')).toBe(
      'Opening / failed: Invalid env provided.',
    );
    expect(tidyPunctuation('Failed to register the Service Worker:. Next')).toBe(
      'Failed to register the Service Worker. Next',
    );
    expect(tidyPunctuation('(pnpm comes with `corepack enable`.). Then')).toBe(
      '(pnpm comes with `corepack enable`.) Then',
    );
    expect(tidyPunctuation('Really?. Yes!.')).toBe('Really? Yes!');
    expect(tidyPunctuation('see ../app and wait...')).toBe('see ../app and wait...');
  });

  it('CoworkerError messages and hints come out tidy', () => {
    const err = new CoworkerError(
      'INVALID_INPUT',
      'The app said: Invalid env provided..',
      'Try again (see the log.).',
    );
    expect([err.message, err.hint]).toEqual([
      'The app said: Invalid env provided.',
      'Try again (see the log.)',
    ]);
  });

  it('dotenv files: comments, export, quotes; a bad line is named without quoting it', () => {
    expect(parseDotenv('# c\nexport A=1\nB="two words"\nC=\'x#y\'\nD=plain # note\n', 'f')).toEqual({
      A: '1',
      B: 'two words',
      C: 'x#y',
      D: 'plain',
    });
    expect(() => parseDotenv('sk-secret-value\n', '--env-file x')).toThrow(
      /--env-file x, line 1, is not KEY=VALUE/,
    );
  });

  it('user config keys: owner/name matches a PR of that repository; a path matches that clone', () => {
    expect(matchRepoKey(['acme/web', 'acme/api'], 'github.com/Acme/Web')).toBe('acme/web');
    expect(matchRepoKey(['acme/web'], 'github.com/acme/web-old')).toBeUndefined();
    expect(matchRepoKey(['/home/me/web'], '/home/me/web')).toBe('/home/me/web');
  });
});

describe('install failure hints', () => {
  it('an install script that cannot download suggests --ignore-scripts; other failures suggest nothing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'myfav-installlog-'));
    const log = path.join(dir, 'install.log');
    writeFileSync(
      log,
      [
        '$ npm install',
        'npm error path /w/node_modules/sharp',
        'npm error command sh -c (node install/libvips && prebuild-install)',
        'npm error sharp: Installation error: getaddrinfo ENOTFOUND github.com',
      ].join('\n'),
    );
    expect(installFailureHint(log, 'npm')).toBe(
      ' A package\'s install script could not download what it needs (from github.com): if the app runs without it, skip install scripts with --install "npm install --ignore-scripts".',
    );
    writeFileSync(
      log,
      '$ npm ci\nnpm error code EUSAGE\nnpm error `npm ci` can only install with an existing lockfile\n',
    );
    expect(installFailureHint(log, 'npm')).toBe('');
    rmSync(dir, { recursive: true, force: true });
  });
});
