import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectApp } from '../../src/app/detect.js';
import { defaultSettings, type SimulationSettings } from '../../src/config/schema.js';
import { CoworkerError } from '../../src/errors.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A checkout in a temp dir: repo-relative path → content (objects are written as JSON). */
async function tree(files: Record<string, string | object>): Promise<string> {
  const root = await realpath(await mkdtemp(path.join(tmpdir(), 'myfav-detect-')));
  dirs.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

const settings = (over: Partial<SimulationSettings> = {}): SimulationSettings => ({
  ...defaultSettings,
  ...over,
});
const withDeps = (scripts: Record<string, string>, extra: object = {}) => ({
  scripts,
  dependencies: { express: '^5.0.0' },
  ...extra,
});
/**
 * The command a package manager runs as: its own name when it is installed here, else (not pinned, not
 * installed) the version its lockfile needs through npx. Which one depends on the machine.
 */
const pmCommand = (pm: string, npxSpec: string, rest: string) =>
  expect.stringMatching(
    new RegExp(
      `^(${pm}|npx --yes ${npxSpec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}) ${rest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
    ),
  );
const npmLock = { lockfileVersion: 3, packages: { '': {}, 'node_modules/express': { version: '5.0.0' } } };

async function detectError(root: string, changed: string[], s: SimulationSettings): Promise<CoworkerError> {
  try {
    await detectApp(root, changed, s);
  } catch (err) {
    expect(err).toBeInstanceOf(CoworkerError);
    return err as CoworkerError;
  }
  throw new Error('expected detectApp to fail');
}

describe('detectApp: package manager and install command', () => {
  const cases: Array<{
    name: string;
    files: Record<string, string | object>;
    pm: string;
    install: string | null | ReturnType<typeof expect.stringMatching>;
  }> = [
    {
      name: 'package-lock.json → npm ci',
      files: { 'package-lock.json': npmLock },
      pm: 'npm',
      install: 'npm ci',
    },
    {
      name: 'npm-shrinkwrap.json → npm ci',
      files: { 'npm-shrinkwrap.json': npmLock },
      pm: 'npm',
      install: 'npm ci',
    },
    {
      name: 'pnpm-lock.yaml → frozen pnpm install',
      files: { 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n" },
      pm: 'pnpm',
      install: pmCommand('pnpm', 'pnpm@9', 'install --frozen-lockfile'),
    },
    {
      name: 'yarn.lock (Yarn 1) → --frozen-lockfile',
      files: { 'yarn.lock': '# yarn lockfile v1\n' },
      pm: 'yarn',
      install: pmCommand('yarn', 'yarn@1', 'install --frozen-lockfile'),
    },
    {
      name: 'yarn.lock with .yarnrc.yml (Yarn berry) → --immutable',
      files: { 'yarn.lock': '__metadata:\n  version: 8\n', '.yarnrc.yml': 'nodeLinker: node-modules\n' },
      pm: 'yarn',
      install: pmCommand('yarn', '-p @yarnpkg/cli-dist@4 yarn', 'install --immutable'),
    },
    {
      name: 'bun.lockb → bun',
      files: { 'bun.lockb': 'binary' },
      pm: 'bun',
      install: pmCommand('bun', 'bun@latest', 'install --frozen-lockfile'),
    },
    {
      name: 'bun.lock → bun',
      files: { 'bun.lock': '{}' },
      pm: 'bun',
      install: pmCommand('bun', 'bun@latest', 'install --frozen-lockfile'),
    },
    { name: 'no lockfile → npm install', files: {}, pm: 'npm', install: 'npm install' },
    {
      name: 'several lockfiles: the packageManager field decides',
      files: {
        'package-lock.json': npmLock,
        'yarn.lock': '',
        'package.json': withDeps({ dev: 'x' }, { packageManager: 'npm@10.9.0' }),
      },
      pm: 'npm',
      install: 'npm ci',
    },
    {
      name: 'several lockfiles and no field: a stray package-lock.json loses',
      files: { 'package-lock.json': npmLock, 'pnpm-lock.yaml': '' },
      pm: 'pnpm',
      install: pmCommand('pnpm', 'pnpm@9', 'install --frozen-lockfile'),
    },
    {
      name: 'no lockfile but a packageManager field',
      files: { 'package.json': withDeps({ dev: 'x' }, { packageManager: 'pnpm@9.12.0' }) },
      pm: 'pnpm',
      // The pinned version: through npx unless a pnpm 9 is on PATH.
      install: expect.stringMatching(/^(npx --yes pnpm@9\.12\.0|pnpm) install$/),
    },
    {
      name: 'no dependencies and no lockfile → no install at all',
      files: { 'package.json': { scripts: { dev: 'node server.js' } } },
      pm: 'npm',
      install: null,
    },
    {
      name: 'no dependencies and an empty npm lockfile → no install',
      files: {
        'package.json': { scripts: { dev: 'node server.js' } },
        'package-lock.json': { lockfileVersion: 3, packages: { '': {} } },
      },
      pm: 'npm',
      install: null,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const root = await tree({ 'package.json': withDeps({ dev: 'node server.js' }), ...c.files });
      const plan = await detectApp(root, [], settings());
      expect(plan).toMatchObject({
        dir: root,
        relDir: '',
        kind: 'node',
        packageManager: c.pm,
        installCommand: c.install,
      });
      expect(plan.installDir).toBeUndefined();
      expect(plan.dirReason).toBe('the repository root has a runnable app');
    });
  }
});

describe('detectApp: start command', () => {
  const cases: Array<{
    name: string;
    scripts: Record<string, string>;
    lock?: Record<string, string>;
    start: string | ReturnType<typeof expect.stringMatching>;
  }> = [
    { name: 'dev before start', scripts: { start: 'node a.js', dev: 'node b.js' }, start: 'npm run dev' },
    {
      name: 'start before preview and serve',
      scripts: { serve: 'x', preview: 'y', start: 'z' },
      start: 'npm run start',
    },
    { name: 'preview before serve', scripts: { serve: 'x', preview: 'y' }, start: 'npm run preview' },
    { name: 'serve as last resort', scripts: { build: 'tsc', serve: 'x' }, start: 'npm run serve' },
    {
      name: 'an empty dev script does not count',
      scripts: { dev: '  ', start: 'node s.js' },
      start: 'npm run start',
    },
    {
      name: 'the package manager runs the script',
      scripts: { dev: 'next dev' },
      lock: { 'pnpm-lock.yaml': '' },
      start: pmCommand('pnpm', 'pnpm@9', 'run dev'),
    },
    {
      name: 'plain vite gets our port and --strictPort (npm needs --)',
      scripts: { dev: 'vite' },
      start: 'npm run dev -- --port $PORT --strictPort --host 127.0.0.1',
    },
    {
      name: 'plain vite under pnpm gets the flags without --',
      scripts: { dev: 'vite dev' },
      lock: { 'pnpm-lock.yaml': '' },
      start: pmCommand('pnpm', 'pnpm@9', 'run dev --port $PORT --strictPort --host 127.0.0.1'),
    },
    {
      name: 'vite with its own --port is left alone',
      scripts: { dev: 'vite --port 3000' },
      start: 'npm run dev',
    },
    {
      name: 'vite with its own --host keeps it',
      scripts: { dev: 'vite --host' },
      start: 'npm run dev -- --port $PORT --strictPort',
    },
    {
      name: 'a chain of commands: the flags go to the last one, the server',
      scripts: { dev: 'vite build && vite preview' },
      start: 'npm run dev -- --port $PORT --strictPort --host 127.0.0.1',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const root = await tree({ 'package.json': withDeps(c.scripts), ...(c.lock ?? {}) });
      expect((await detectApp(root, [], settings())).startCommand).toEqual(c.start);
    });
  }
});

describe('detectApp: static sites', () => {
  it('serves a folder with index.html and no start script itself, without installing', async () => {
    const root = await tree({ 'index.html': '<h1>hi</h1>', 'package.json': withDeps({ build: 'tsc' }) });
    const plan = await detectApp(root, [], settings());
    expect(plan).toMatchObject({
      kind: 'static',
      startCommand: null,
      installCommand: null,
      staticRoot: root,
    });
    expect(plan.packageManager).toBeUndefined();
  });

  it('serves public/ when the index.html lives there', async () => {
    const root = await tree({ 'public/index.html': '<h1>hi</h1>' });
    expect(await detectApp(root, [], settings())).toMatchObject({
      kind: 'static',
      staticRoot: path.join(root, 'public'),
    });
  });

  it('does not serve dist/ (build output, not the PR sources)', async () => {
    const root = await tree({ 'dist/index.html': '<h1>old build</h1>' });
    expect((await detectError(root, [], settings())).code).toBe('NO_APP');
  });

  it('prefers a start script over an index.html', async () => {
    const root = await tree({ 'index.html': '<div id=app>', 'package.json': withDeps({ dev: 'vite' }) });
    const plan = await detectApp(root, [], settings());
    expect(plan).toMatchObject({
      kind: 'node',
      startCommand: 'npm run dev -- --port $PORT --strictPort --host 127.0.0.1',
    });
    expect(plan.staticRoot).toBeUndefined();
  });
});

describe('detectApp: settings override detection', () => {
  it('uses --install and --start as given', async () => {
    const root = await tree({ 'package.json': withDeps({ dev: 'vite' }), 'package-lock.json': npmLock });
    const plan = await detectApp(root, [], settings({ install: 'make deps', start: 'make run' }));
    expect(plan).toMatchObject({ installCommand: 'make deps', startCommand: 'make run', kind: 'node' });
  });

  it('skips the install with install: false', async () => {
    const root = await tree({ 'package.json': withDeps({ dev: 'vite' }), 'package-lock.json': npmLock });
    expect((await detectApp(root, [], settings({ install: false }))).installCommand).toBeNull();
  });

  it('runs a --start command at the root even when the root has no app of its own', async () => {
    const root = await tree({ 'README.md': 'hi' });
    const plan = await detectApp(root, ['apps/x/a.ts'], settings({ start: 'docker compose up' }));
    expect(plan).toMatchObject({
      dir: root,
      kind: 'node',
      startCommand: 'docker compose up',
      installCommand: null,
    });
  });

  it('keeps --url on the plan and rejects one that is neither a URL nor a path', async () => {
    const root = await tree({ 'package.json': withDeps({ dev: 'x' }) });
    expect((await detectApp(root, [], settings({ url: '/app' }))).url).toBe('/app');
    const err = await detectError(root, [], settings({ url: 'localhost:3000' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('localhost:3000');
  });
});

describe('detectApp: monorepos', () => {
  const monorepo = {
    'package.json': { private: true, workspaces: ['apps/*'], devDependencies: { turbo: '2' } },
    'package-lock.json': npmLock,
    'apps/web/package.json': withDeps({ dev: 'next dev' }),
    'apps/web/public/index.html': '<h1>static asset of web</h1>',
    'apps/docs/index.html': '<h1>docs</h1>',
    'apps/api/package.json': withDeps({ build: 'tsc' }),
  };

  it('picks the app folder most changed files are in and says why', async () => {
    const root = await tree(monorepo);
    const plan = await detectApp(
      root,
      ['apps/web/src/a.tsx', 'apps/web/src/b.tsx', 'apps/docs/guide.md', 'README.md'],
      settings(),
    );
    expect(plan.dir).toBe(path.join(root, 'apps/web'));
    expect(plan.relDir).toBe('apps/web');
    expect(plan.dirReason).toContain('2 of 4 changed files are in apps/web');
    expect(plan.dirReason).toContain('apps/docs (1)');
    // The lockfile of the workspace root installs the app: run the install there.
    expect(plan).toMatchObject({ installCommand: 'npm ci', installDir: root, startCommand: 'npm run dev' });
  });

  it('counts a file under an app’s public/ folder for the app, not as a separate static site', async () => {
    const root = await tree(monorepo);
    const plan = await detectApp(root, ['apps/web/public/index.html'], settings());
    expect(plan).toMatchObject({ relDir: 'apps/web', kind: 'node' });
  });

  it('finds a static site folder from the changed files', async () => {
    const root = await tree(monorepo);
    const plan = await detectApp(root, ['apps/docs/index.html', 'apps/api/src/x.ts'], settings());
    expect(plan).toMatchObject({
      relDir: 'apps/docs',
      kind: 'static',
      staticRoot: path.join(root, 'apps/docs'),
    });
  });

  it('does not use an unrelated root lockfile for a sub-folder app', async () => {
    const root = await tree({
      'package.json': { devDependencies: { prettier: '3' } }, // tools only, no workspaces
      'package-lock.json': npmLock,
      'site/package.json': withDeps({ start: 'node server.js' }),
    });
    const plan = await detectApp(root, ['site/server.js'], settings());
    expect(plan).toMatchObject({ relDir: 'site', installCommand: 'npm install' });
    expect(plan.installDir).toBeUndefined();
  });

  it('lets appDir win over the root and the changed files', async () => {
    const root = await tree({ ...monorepo, 'package.json': withDeps({ dev: 'turbo dev' }) });
    const plan = await detectApp(root, ['apps/web/a.ts'], settings({ appDir: 'apps/docs' }));
    expect(plan).toMatchObject({ relDir: 'apps/docs', kind: 'static' });
    expect(plan.dirReason).toContain('--app-dir');
  });

  it('names an appDir that does not exist', async () => {
    const root = await tree(monorepo);
    const err = await detectError(root, [], settings({ appDir: 'apps/shop' }));
    expect(err.code).toBe('NO_APP');
    expect(err.message).toContain('apps/shop');
    expect(err.message).toContain('does not exist');
  });

  it('names an appDir that has no runnable app', async () => {
    const root = await tree(monorepo);
    const err = await detectError(root, [], settings({ appDir: 'apps/api' }));
    expect(err.code).toBe('NO_APP');
    expect(err.message).toContain('apps/api');
    expect(err.message).toMatch(/without a dev, start, preview, serve script/);
  });

  it('rejects an appDir outside the checkout, also through a symlink', async () => {
    const root = await tree(monorepo);
    const outside = await tree({ 'package.json': withDeps({ dev: 'x' }) });
    expect((await detectError(root, [], settings({ appDir: '../elsewhere' }))).code).toBe('INVALID_INPUT');
    await symlink(outside, path.join(root, 'apps/link'));
    const err = await detectError(root, [], settings({ appDir: 'apps/link' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('outside the repository');
  });

  it('never infers an app folder that a symlink of the branch leads out of the checkout', async () => {
    // The branch turned web/ into a link to another project: its changed files still name web/… paths.
    const root = await tree({ 'README.md': '' });
    const outside = await tree({ 'package.json': withDeps({ dev: 'x' }), 'package-lock.json': npmLock });
    await symlink(outside, path.join(root, 'web'));
    const err = await detectError(root, ['web/src/page.tsx', 'web'], settings());
    expect(err.code).toBe('NO_APP');
  });

  it('never serves a public/ folder that is a symlink out of the checkout', async () => {
    const root = await tree({ 'README.md': '' });
    const outside = await tree({ 'index.html': '<h1>someone else’s files</h1>', 'notes.txt': 'private' });
    await symlink(outside, path.join(root, 'public'));
    expect((await detectError(root, [], settings())).code).toBe('NO_APP');
    // A link that stays inside the checkout is fine.
    await rm(path.join(root, 'public'));
    await mkdir(path.join(root, 'site'));
    await writeFile(path.join(root, 'site/index.html'), '<h1>ok</h1>');
    await symlink(path.join(root, 'site'), path.join(root, 'public'));
    const plan = await detectApp(root, [], settings());
    expect(plan.kind).toBe('static');
    expect(plan.staticRoot).toBe(path.join(root, 'public'));
  });
});

describe('detectApp: nothing to run', () => {
  it('fails with NO_APP and tells how to point at the app', async () => {
    const root = await tree({ 'package.json': withDeps({ build: 'tsc' }), 'lib/a.ts': '' });
    const err = await detectError(root, ['lib/a.ts'], settings());
    expect(err.code).toBe('NO_APP');
    expect(err.message).toContain('repo root has a package.json without');
    expect(err.hint).toContain('--app-dir');
    expect(err.hint).toContain('--start');
    expect(err.hint).toContain('.myfav-coworker.json');
  });

  it('ignores changed-file paths that leave the repo', async () => {
    const root = await tree({ 'README.md': '' });
    const outside = await tree({ 'package.json': withDeps({ dev: 'x' }) });
    const err = await detectError(root, [`../${path.basename(outside)}/package.json`], settings());
    expect(err.code).toBe('NO_APP');
  });
});
