// The fake GitHub populated for tests: the demo repository (fixtures/buildDemoRepo.js) as acme/demo with
// its pull requests, and a private repository whose app writes its environment to files.
//
//   acme/demo (public)             #1 feature/stats → main (open; fails like the local run)
//                                  #2 the same commits from the fork mallory/demo (untrusted)
//   users: octo-dev (`token`) can push to both repositories; outsider (`outsiderToken`) to neither;
//          a read-only token (`readOnlyToken`, like a fork PR's GITHUB_TOKEN) reads and writes nothing
//                                  #3 feature/stats, merged
//                                  #4 feature/stats with hostile branch names in the API answer
//                                  #5 docs/readme → main (open; passes)
//   acme/private-app (private)     #1 feature/env → main: an app whose postinstall and server write
//                                     their environment (ENV-DUMP lines in install.log and app.log)

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';
import { git } from '../../fixtures/isolatedGit.js';
import { createGitRepo } from '../helpers/gitRepo.js';
import { FakeGithub } from './fakeGithub.js';

/** A token in GitHub's format (ghp_ + 36 characters), different on every run. */
export function fakeToken(prefix = 'ghp_'): string {
  return `${prefix}${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`;
}

export interface GithubDemo {
  fake: FakeGithub;
  /** A user who can read and push to both repositories (classic token, `repo` scope). */
  token: string;
  login: string;
  /** A user who can read acme/demo (public) but push to neither repository. */
  outsiderToken: string;
  /** A token that reads acme/demo but may write nothing (403 "Resource not accessible by integration"). */
  readOnlyToken: string;
  /** Hostile names PR #4 reports. */
  hostileHeadRef: string;
  hostileBaseRef: string;
  /** For MYFAV_GITHUB_API_URL. */
  apiUrl: string;
  close(): Promise<void>;
}

export async function startGithubDemo(opts: { secondMs?: number } = {}): Promise<GithubDemo> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'myfav-gh-demo-'));
  const fake = await FakeGithub.start(opts);
  try {
    const token = fakeToken();
    const login = 'octo-dev';
    fake.addUser({
      login,
      token,
      scopes: ['repo', 'read:org'],
      canRead: ['acme/private-app'],
      canPush: ['acme/demo', 'acme/private-app'],
    });
    const outsiderToken = fakeToken();
    fake.addUser({ login: 'outsider', token: outsiderToken, scopes: ['repo'] });
    const readOnlyToken = fakeToken('ghs_');
    fake.addUser({ login: 'github-actions[bot]', token: readOnlyToken, scopes: null, readOnly: true });

    const demo = await buildDemoRepo(path.join(work, 'demo'));
    await git(demo.repoPath, ['checkout', '--quiet', '-b', 'docs/readme', 'main']);
    writeFileSync(path.join(demo.repoPath, 'CONTRIBUTING.md'), '# Contributing\n\nOpen a pull request.\n');
    await git(demo.repoPath, ['add', '--all']);
    await git(demo.repoPath, ['commit', '--quiet', '--no-verify', '-m', 'Add contributing notes'], {
      date: '2025-01-07T09:00:00Z',
    });
    await git(demo.repoPath, ['checkout', '--quiet', 'main']);
    await fake.addRepo({ owner: 'acme', name: 'demo', source: demo.repoPath });

    const stats = { branch: 'feature/stats' };
    const body = 'Adds a Stats page and note search.';
    await fake.addPull({
      repo: 'acme/demo',
      number: 1,
      title: 'Add stats page and note search',
      body,
      author: 'dev',
      head: stats,
      base: { branch: 'main' },
    });
    await fake.addPull({
      repo: 'acme/demo',
      number: 2,
      title: 'Add stats page (from a fork)',
      author: 'mallory',
      head: { ...stats, ref: 'patch-1', repo: 'mallory/demo' },
      base: { branch: 'main' },
    });
    await fake.addPull({
      repo: 'acme/demo',
      number: 3,
      title: 'Add stats page (merged)',
      author: 'dev',
      state: 'closed',
      merged: true,
      head: stats,
      base: { branch: 'main' },
    });
    // A shell would expand ${IFS}: these must stay data (never a command line, never a shell).
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the point
    const hostileHeadRef = '--upload-pack=touch${IFS}pwned;#';
    const hostileBaseRef = '-oProxyCommand=touch_pwned';
    await fake.addPull({
      repo: 'acme/demo',
      number: 4,
      title: 'Hostile branch names',
      author: 'dev',
      head: { ...stats, ref: hostileHeadRef },
      base: { branch: 'main', ref: hostileBaseRef },
    });
    await fake.addPull({
      repo: 'acme/demo',
      number: 5,
      title: 'Add contributing notes',
      author: 'dev',
      head: { branch: 'docs/readme' },
      base: { branch: 'main' },
    });

    const app = await createGitRepo({ dir: path.join(work, 'private-app'), ...envApp() });
    await fake.addRepo({ owner: 'acme', name: 'private-app', source: app.path, private: true });
    await fake.addPull({
      repo: 'acme/private-app',
      number: 1,
      title: 'Change the heading',
      author: login,
      head: { branch: 'feature/env' },
      base: { branch: 'main' },
    });

    return {
      fake,
      token,
      login,
      outsiderToken,
      readOnlyToken,
      hostileHeadRef,
      hostileBaseRef,
      apiUrl: fake.apiUrl,
      close: async () => {
        await fake.close();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await fake.close();
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

/** A small app with one local dependency (so `npm ci` runs, offline) whose postinstall and server dump their env. */
function envApp() {
  const page = (heading: string) =>
    `const http = require('node:http');\nrequire('./dump.js')('app');\nconst page = '<!doctype html><html><head><title>Env app</title><link rel="icon" href="data:,"></head><body><h1>${heading}</h1></body></html>';\nhttp\n  .createServer((req, res) => {\n    const ok = req.url === '/' || req.url === '/index.html';\n    res.writeHead(ok ? 200 : 404, { 'content-type': 'text/html' });\n    res.end(ok ? page : 'not found');\n  })\n  .listen(Number(process.env.PORT), process.env.HOST);\n`;
  return {
    files: {
      'package.json': `${JSON.stringify(
        {
          name: 'env-app',
          version: '1.0.0',
          private: true,
          scripts: { postinstall: 'node dump.js install', start: 'node server.js' },
          dependencies: { helper: 'file:helper' },
        },
        null,
        2,
      )}\n`,
      'package-lock.json': `${JSON.stringify(
        {
          name: 'env-app',
          version: '1.0.0',
          lockfileVersion: 3,
          requires: true,
          packages: {
            '': {
              name: 'env-app',
              version: '1.0.0',
              hasInstallScript: true,
              dependencies: { helper: 'file:helper' },
            },
            helper: { version: '1.0.0' },
            'node_modules/helper': { resolved: 'helper', link: true },
          },
        },
        null,
        2,
      )}\n`,
      'helper/package.json': '{ "name": "helper", "version": "1.0.0" }\n',
      // Printed, so it lands in install.log / app.log: the sandbox lets the branch write nowhere else that lasts.
      'dump.js': `const write = (name) => console.log('ENV-DUMP ' + name + ' ' + JSON.stringify(process.env));\nmodule.exports = write;\nif (require.main === module) write(process.argv[2]);\n`,
      'server.js': page('Env app'),
    },
    branches: { 'feature/env': { 'server.js': page('Env app, new heading') } },
  };
}
