import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { leftoversIn, leftoversOf, reportFromJson, runCli, tempHome } from '../helpers/cli.js';
import { slots } from '../helpers/concurrency.js';
import { okPage, pageServer } from '../helpers/fakeFrameworks.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';
import { processesWithMarker } from '../helpers/processes.js';

// Issue 9, points 5 to 9, through the real binary: setting up an app without committing anything to
// its branch (--config, --env, --env-file, user config per repository, .env from .env.example),
// silencing known noise with a reason, pinned package managers, monorepos with --start, and the
// small things a user reads (the jobs table, punctuation).
//
// The tests are independent (different repositories; each run checks what its own job left), so they
// run concurrently, two simulations at a time.

// Each run starts the head and the base app side by side, and may wait for a free slot first: a loaded
// machine needs more than 90 s.
vi.setConfig({ testTimeout: 600_000 });
const simulation = slots(2);

const home = tempHome();
const repos: GitRepo[] = [];
afterAll(async () => {
  // Nothing of any job is left once they have all ended.
  const left = leftoversIn(home.dir);
  await Promise.all(repos.map((r) => r.cleanup()));
  home.cleanup();
  expect(left).toEqual([]);
});

async function repo(files: Record<string, string>, head: Record<string, string | null>): Promise<GitRepo> {
  const r = await createGitRepo({ files, branches: { 'feature/x': head } });
  repos.push(r);
  return r;
}

async function simulate(r: GitRepo, extra: string[] = [], head = 'feature/x') {
  const result = await simulation(() =>
    runCli(['simulate', r.path, '--head', head, '--base', 'main', '--json', '--no-agent', ...extra], {
      home: home.dir,
      timeoutMs: 240_000,
    }),
  );
  expect(result.stdout.trim().startsWith('{'), result.stderr).toBe(true);
  const report = reportFromJson(result.stdout);
  expect(processesWithMarker(report.id)).toEqual([]);
  expect(leftoversOf(home.dir, report.id)).toEqual([]);
  return { code: result.code, report, stdout: result.stdout, stderr: result.stderr };
}

/** The report's notes that start with `start` (a note is "<title>. <detail>"). */
const notesStarting = (report: Report, start: string): string[] =>
  (report.notes ?? []).filter((n) => n.startsWith(start));
const outside = (name: string, content: string): string => {
  const dir = path.join(home.dir, 'outside');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
};
const nodeApp = (routes: Record<string, string>, files: Record<string, string>, pkg: object = {}) => ({
  'package.json': JSON.stringify({ scripts: { dev: 'node server.js' }, ...pkg }),
  'server.js': pageServer,
  'routes.json': JSON.stringify(routes),
  ...files,
});

describe('real-app set-up', { concurrent: true }, () => {
  describe('setting an app up without a commit to its branch', () => {
    it('--config outside the repo silences known noise with a reason ("Ignored (N)"); third-party failures are warnings', async () => {
      const page = okPage(
        'Home',
        // A hosting-only script (404 off Vercel), a console line a dependency always logs, and a
        // stylesheet from another origin that cannot load here.
        `<script src="/_vercel/insights/script.js"></script>
       <script>console.error('Download the React DevTools for a better development experience');</script>
       <link rel="stylesheet" href="http://fonts.example.invalid/css2?family=Inter">`,
      );
      const r = await repo(nodeApp({ '/': 'index.page' }, { 'index.page': page }), {
        'index.page': page.replace('Home', 'Home page'),
      });
      const config = outside(
        'web.myfav-coworker.json',
        JSON.stringify({
          ignore: [
            { url: '/_vercel/*', reason: 'hosting-only script, served by Vercel in production' },
            { console: 'React DevTools', reason: 'printed by React in development' },
          ],
        }),
      );
      const { code, report, stderr } = await simulate(r, ['--no-install', '--config', config]);
      expect(stderr).toContain(`settings from --config ${config}`);
      expect(report.verdict).toBe('pass');
      expect(code).toBe(0);
      const [ignored] = notesStarting(report, 'Ignored (2) by the config\'s "ignore" rules — ');
      expect(ignored).toContain('url /_vercel/* (hosting-only script, served by Vercel in production)');
      expect(ignored).toContain('console "React DevTools" (printed by React in development)');
      expect(report.findings.some((f) => f.kind !== 'note' && /_vercel|DevTools/.test(f.title))).toBe(false);
      // Whatever happened to the other origin's stylesheet, it is not an error.
      for (const f of report.findings.filter((f) =>
        /fonts\.example\.invalid/.test(f.title + f.evidence.join(' ')),
      ))
        expect(f.severity).not.toBe('error');
    });

    it('--env, --env-file (masked everywhere), user config per repository, and .env copied from .env.example', async () => {
      const secret = 'sk-fixture-9f8e7d6c5b4a3210';
      const r = await repo(
        nodeApp(
          { '/': 'index.page', '/from-user-config': 'greeting.page' },
          {
            'index.page': okPage('Home'),
            // The app logs the secret in the browser console: the report must not show it.
            'greeting.page': `<!doctype html><title>{{GREETING}}</title><script>console.error('using key {{API_SECRET}}')</script>`,
            '.env.example': 'DATABASE_URL=file:./dev.db\n',
          },
          // Refuses to start without .env, as apps with env validation do.
          { scripts: { dev: "node -e \"require('fs').accessSync('.env')\" && node server.js" } },
        ),
        {
          'greeting.page': `<!doctype html><title>{{GREETING}}!</title><script>console.error('using key {{API_SECRET}}')</script>`,
        },
      );
      const envFile = outside('secrets.env', `# secrets\nAPI_SECRET="${secret}"\n`);
      // Written whole (temp file + rename): the jobs running beside this one read the same file.
      mkdirSync(path.join(home.dir, 'config'), { recursive: true });
      const userConfig = path.join(home.dir, 'config', 'config.json');
      writeFileSync(
        `${userConfig}.tmp`,
        JSON.stringify({ repos: { [r.path]: { routes: ['/from-user-config'] } } }),
      );
      renameSync(`${userConfig}.tmp`, userConfig);
      const { report, stdout, stderr } = await simulate(r, [
        '--no-install',
        '--env',
        'GREETING=hello-from-env',
        '--env-file',
        envFile,
      ]);
      expect(report.error, JSON.stringify(report.error)).toBeUndefined();
      expect(stderr).toContain(`repos["${r.path}"] in the user config`);
      expect(report.pages.find((p) => p.path === '/from-user-config')).toMatchObject({
        status: 200,
        title: 'hello-from-env!',
      });
      expect(notesStarting(report, 'Copied .env.example to .env. ')).toHaveLength(1);
      const consoleLine = report.findings.find((f) => f.kind === 'console-error');
      expect(consoleLine?.title).toContain('using key [redacted]');
      // Nowhere: not in the printed report, the report files, nor the job history.
      expect(stdout).not.toContain(secret);
      for (const file of ['report.json', 'report.md', 'report.html'])
        expect(readFileSync(path.join(report.artifacts.dir, file), 'utf8')).not.toContain(secret);
      expect(readFileSync(path.join(home.dir, 'data', 'jobs.sqlite')).includes(secret)).toBe(false);
    });

    it('bad set-up flags are refused before a job exists, naming the flag', async () => {
      const cases: Array<[string[], RegExp]> = [
        [['--env', 'no-equals-sign'], /--env takes NAME=value/],
        [['--allow-origin', 'cdn.example.com'], /--allow-origin takes an http\(s\) origin/],
        [
          // (A missing --env-file is refused by Node itself before we run: it checks that flag anywhere
          // on the command line, exit code 9. A malformed one is ours to explain.)
          ['--env-file', outside('bad.env', 'not a variable\n')],
          /--env-file \S+bad\.env, line 1, is not KEY=VALUE/,
        ],
        [
          ['--config', '/nonexistent/config.json'],
          /The config file \/nonexistent\/config\.json \(--config\) could not be read/,
        ],
        [['--install-timeout', '0'], /--install-timeout takes a positive number/],
      ];
      const results = await Promise.all(
        cases.map(([flags]) => runCli(['simulate', home.dir, ...flags], { home: home.dir })),
      );
      for (const [i, [flags, message]] of cases.entries()) {
        expect(results[i]!.code, flags.join(' ')).toBe(2);
        expect(results[i]!.stderr).toMatch(message);
      }
    });

    it('--install-timeout bounds the install', async () => {
      const r = await repo(nodeApp({ '/': 'index.page' }, { 'index.page': okPage('Home') }), {
        'index.page': okPage('Home 2'),
      });
      const { code, report } = await simulate(r, [
        '--install',
        'node -e "setTimeout(() => {}, 20000)"',
        '--install-timeout',
        '1',
      ]);
      expect(code).toBe(2);
      expect(report.error).toMatchObject({
        code: 'INSTALL_FAILED',
        message: expect.stringContaining('timed out after 1 s'),
      });
    });
  });

  describe('package managers and monorepos', () => {
    it('runs the pnpm version package.json pins and says so in the report', async () => {
      const r = await repo(
        nodeApp(
          { '/': 'index.page' },
          {
            'index.page': okPage('Home'),
            'vendor/greeting/package.json': JSON.stringify({ name: 'greeting', version: '1.0.0' }),
          },
          { packageManager: 'pnpm@9.15.9', dependencies: { greeting: 'file:./vendor/greeting' } },
        ),
        { 'index.page': okPage('Home 2') },
      );
      const { report } = await simulate(r, ['--install-timeout', '300']);
      expect(report.error, JSON.stringify(report.error)).toBeUndefined();
      expect(report.verdict).toBe('pass');
      const [pm] = notesStarting(report, 'Package manager:');
      // pnpm 9 from PATH when the machine has one, else the pinned version through npx.
      expect(pm).toMatch(
        /^Package manager: (pnpm 9\.15\.9 through npx \(package\.json pins pnpm@9\.15\.9; (no pnpm on PATH|pnpm on PATH is \S+)\)|pnpm 9\.\S+ on PATH \(package\.json pins pnpm@9\.15\.9: same major version\))\. Installed with "/,
      );
      expect(report.app?.installCommand).toMatch(/^(npx --yes pnpm@9\.15\.9|pnpm) install$/);
    });

    it('--start without --app-dir runs in the app the most changed files point at, and names the others', async () => {
      const app = (title: string) => ({
        'package.json': JSON.stringify({ scripts: { dev: 'node server.js' } }),
        'server.js': pageServer,
        'routes.json': JSON.stringify({ '/': 'index.page' }),
        'index.page': okPage(title),
      });
      const prefixed = (dir: string, files: Record<string, string>) =>
        Object.fromEntries(Object.entries(files).map(([k, v]) => [`${dir}/${k}`, v]));
      const r = await repo(
        {
          'package.json': JSON.stringify({ private: true, workspaces: ['apps/*'] }),
          ...prefixed('apps/web', app('Web')),
          ...prefixed('apps/docs', app('Docs')),
        },
        {
          'apps/web/index.page': okPage('Web 2'),
          'apps/web/src/feature.js': 'export const x = 1;\n',
          'apps/docs/index.page': okPage('Docs 2'),
        },
      );
      const head = await r.sha('feature/x');
      const { report } = await simulate(r, ['--no-install', '--start', 'node server.js'], head);
      expect(report.error, JSON.stringify(report.error)).toBeUndefined();
      expect(report.app).toMatchObject({ dir: 'apps/web', startCommand: 'node server.js' });
      expect(report.pages[0]).toMatchObject({ title: 'Web 2' });
      expect(notesStarting(report, 'Changes also touch apps/docs: only apps/web was tested. ')).toHaveLength(
        1,
      );

      // `jobs`: a head given as a commit shows once, not as "<sha>@<sha>".
      const jobs = await runCli(['jobs'], { home: home.dir });
      const line = jobs.stdout.split('\n').find((l) => l.startsWith(report.id)) ?? '';
      expect(line).toContain(head.slice(0, 7));
      expect(line).not.toContain(`@${head.slice(0, 7)}`);
    });
  });
});
