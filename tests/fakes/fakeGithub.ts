// A fake GitHub on 127.0.0.1 that speaks the real protocols, for the real Octokit and the real git:
// - OAuth device flow: POST /login/device/code, POST /login/oauth/access_token (scripted answers,
//   and GitHub's own rule: polling faster than the interval earns a slow_down);
// - REST under /api/v3 (GitHub Enterprise's layout): GET /user, GET /repos/:o/:r/pulls/:n,
//   GET /repos/:o/:r/pulls/:n/files (paginated with Link headers), with GitHub's status codes and headers;
//   the issue comments of a PR (GET list, paginated; POST; PATCH /repos/:o/:r/issues/comments/:id) and
//   commit statuses (POST/GET /repos/:o/:r/statuses/:sha), with GitHub's answers to a token that may not
//   write: 401 without one, 404 where it cannot see or push (statuses), 403 "Resource not accessible";
// - git smart HTTP at /:owner/:repo.git through `git http-backend`, private repositories requiring the token.
// Point the product at it with MYFAV_GITHUB_API_URL=<apiUrl>; clone URLs in its answers point back at it.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { git } from '../../fixtures/isolatedGit.js';

export interface FakeUser {
  login: string;
  token: string;
  /** Classic/OAuth scopes sent as X-OAuth-Scopes; null = a fine-grained token (no header). */
  scopes?: string[] | null;
  /** Private repositories ("owner/name") this user may read besides their own. */
  canRead?: string[];
  /** Repositories ("owner/name") this user may push to besides their own. */
  canPush?: string[];
  /**
   * A token that may read but not write (a GITHUB_TOKEN with `permissions: read-all`, a fine-grained token
   * without write permissions): every write is answered 403 "Resource not accessible by integration".
   */
  readOnly?: boolean;
}

/** An issue comment as the fake stores it (what GitHub returns, in part). */
export interface FakeComment {
  id: number;
  body: string;
  login: string;
  createdAt: string;
  updatedAt: string;
}

/** A commit status as the fake stores it. */
export interface FakeStatus {
  id: number;
  state: string;
  context: string;
  description: string | null;
  targetUrl: string | null;
  login: string;
}

export interface FakeRepoInput {
  owner: string;
  name: string;
  private?: boolean;
  /** A local repository to serve (cloned --bare, all branches). */
  source: string;
}

export interface FakeFile {
  filename: string;
  status?: string;
  additions?: number;
  deletions?: number;
  patch?: string;
  previous_filename?: string;
}

export interface FakePullInput {
  /** "owner/name" of the base repository (added with addRepo). */
  repo: string;
  number: number;
  title: string;
  body?: string;
  author?: string;
  state?: 'open' | 'closed';
  merged?: boolean;
  draft?: boolean;
  /** `branch` is resolved in the served repository; `ref` is what the API reports (default: branch). */
  head: { branch: string; ref?: string; repo?: string | null };
  base: { branch: string; ref?: string };
  /** Changed files as the API lists them (default: computed with git diff base...head). */
  files?: FakeFile[];
}

/** 'slow_down' answers like GitHub (with the new `interval`); `{ error: 'slow_down' }` without it. */
export type DeviceStep = 'pending' | 'slow_down' | 'denied' | 'expired' | 'success' | { error: string };

export interface DeviceFlowScript {
  clientId: string;
  /** Answers to successive polls; the last one repeats. */
  steps: DeviceStep[];
  /** The token `success` issues (register a user with it to make GET /user work). */
  token: string;
  /** Seconds (see secondMs). Default 5, like GitHub. */
  interval?: number;
  expiresIn?: number;
  userCode?: string;
  /** Answer to the code request itself instead of a code. */
  codeError?: 'device_flow_disabled' | 'not_found';
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  at: number;
}

export interface GitRequest {
  path: string;
  auth: 'none' | 'valid' | 'invalid';
  login?: string;
}

export interface ScriptedFailure {
  method?: string;
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many matching requests get it (default 1; Infinity for all). */
  times?: number;
}

export interface FakeGithubOptions {
  /** Length of one protocol second in ms for the device flow's intervals (default 1000). */
  secondMs?: number;
}

/** One REST request as the API handlers see it: who asked, the headers to answer with, the raw body. */
interface ApiCall {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  who: FakeUser | undefined;
  headers: Record<string, string>;
  raw: string;
}

interface Repo {
  owner: string;
  name: string;
  id: number;
  private: boolean;
  dir: string;
}

interface Pull {
  repo: Repo;
  number: number;
  title: string;
  body: string;
  author: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  headRef: string;
  headSha: string;
  headRepo: string | null;
  baseRef: string;
  baseSha: string;
  files: FakeFile[];
}

export class FakeGithub {
  readonly url: string;
  readonly apiUrl: string;
  readonly requests: RecordedRequest[] = [];
  readonly gitRequests: GitRequest[] = [];
  /** Times (ms) of access-token polls, and the polls that came sooner than the interval. */
  readonly polls: number[] = [];
  tooEarlyPolls = 0;
  /**
   * Each access-token poll as the fake saw it: when (ms), the interval (protocol seconds) it demanded
   * from the previous poll, and its answer (the OAuth error, or 'token').
   */
  readonly pollLog: Array<{ at: number; interval: number; answer: string }> = [];
  /** The interval (seconds) the device flow currently demands. */
  currentInterval = 0;
  /**
   * Whether PR answers carry the user's `permissions` on the base repository (GitHub's usually do);
   * false makes a client ask GET /repos/{owner}/{repo} instead.
   */
  permissionsInPulls = true;

  private readonly users = new Map<string, FakeUser>();
  private readonly repos = new Map<string, Repo>();
  private readonly pulls = new Map<string, Pull>();
  private readonly failures: ScriptedFailure[] = [];
  /** Issue comments by "owner/name#number" (lower case), oldest first. */
  private readonly commentsByIssue = new Map<string, FakeComment[]>();
  /** Commit statuses by "owner/name@sha" (lower case), oldest first. */
  private readonly statusesBySha = new Map<string, FakeStatus[]>();
  private nextCommentId = 9_000_001;
  private nextStatusId = 7_000_001;
  private device: (DeviceFlowScript & { deviceCode: string; issuedAt: number; step: number }) | undefined;
  private nextRepoId = 1000;

  private readonly server: http.Server;
  private readonly root: string;
  private readonly secondMs: number;

  private constructor(server: http.Server, root: string, secondMs: number) {
    this.server = server;
    this.root = root;
    this.secondMs = secondMs;
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.url}/api/v3`;
  }

  static async start(opts: FakeGithubOptions = {}): Promise<FakeGithub> {
    const root = mkdtempSync(path.join(os.tmpdir(), 'myfav-fake-github-'));
    let fake: FakeGithub | undefined;
    const server = http.createServer((req, res) => {
      fake!.handle(req, res).catch((err) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err?.stack ?? err));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new FakeGithub(server, root, opts.secondMs ?? 1000);
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.root, { recursive: true, force: true });
  }

  addUser(user: FakeUser): void {
    this.users.set(user.token, user);
  }

  /** Let a user push to a repository ("owner/name"), as a collaborator. */
  grantPush(login: string, repo: string): void {
    for (const user of this.users.values()) {
      if (user.login === login) user.canPush = [...(user.canPush ?? []), repo];
    }
  }

  async addRepo(input: FakeRepoInput): Promise<{ dir: string; cloneUrl: string }> {
    const dir = path.join(this.root, input.owner, `${input.name}.git`);
    await git(this.root, ['clone', '--bare', '--quiet', '--', input.source, dir]);
    // GitHub serves any reachable commit by SHA (actions/checkout relies on it).
    await git(dir, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
    await git(dir, ['config', 'http.receivepack', 'false']);
    this.repos.set(`${input.owner}/${input.name}`.toLowerCase(), {
      owner: input.owner,
      name: input.name,
      id: this.nextRepoId++,
      private: input.private === true,
      dir,
    });
    return { dir, cloneUrl: this.cloneUrl(input.owner, input.name) };
  }

  cloneUrl(owner: string, name: string): string {
    return `${this.url}/${owner}/${name}.git`;
  }

  async addPull(input: FakePullInput): Promise<{ headSha: string; baseSha: string }> {
    const repo = this.repo(input.repo);
    if (!repo) throw new Error(`addPull: add the repository ${input.repo} first`);
    const rev = async (branch: string) =>
      (await git(repo.dir, ['rev-parse', '--verify', `refs/heads/${branch}^{commit}`])).trim();
    const headSha = await rev(input.head.branch);
    const baseSha = await rev(input.base.branch);
    // Like GitHub: the PR's head is reachable in the base repository as refs/pull/N/head (forks too).
    await git(repo.dir, ['update-ref', `refs/pull/${input.number}/head`, headSha]);
    const files = input.files ?? (await this.diffFiles(repo.dir, baseSha, headSha));
    this.pulls.set(`${input.repo.toLowerCase()}#${input.number}`, {
      repo,
      number: input.number,
      title: input.title,
      body: input.body ?? '',
      author: input.author ?? repo.owner,
      state: input.state ?? 'open',
      merged: input.merged === true,
      draft: input.draft === true,
      headRef: input.head.ref ?? input.head.branch,
      headSha,
      headRepo: input.head.repo === undefined ? `${repo.owner}/${repo.name}` : input.head.repo,
      baseRef: input.base.ref ?? input.base.branch,
      baseSha,
      files,
    });
    return { headSha, baseSha };
  }

  /** Move a PR's head to another branch's commit (a push to the PR). */
  async pushToPull(repoName: string, number: number, branch: string): Promise<string> {
    const pull = this.pulls.get(`${repoName.toLowerCase()}#${number}`);
    if (!pull) throw new Error('no such pull');
    const sha = (await git(pull.repo.dir, ['rev-parse', '--verify', `refs/heads/${branch}^{commit}`])).trim();
    await git(pull.repo.dir, ['update-ref', `refs/pull/${number}/head`, sha]);
    pull.headSha = sha;
    return sha;
  }

  setDeviceFlow(script: DeviceFlowScript): void {
    this.device = { ...script, deviceCode: randomBytes(20).toString('hex'), issuedAt: 0, step: 0 };
    this.currentInterval = script.interval ?? 5;
    this.polls.length = 0;
    this.pollLog.length = 0;
    this.tooEarlyPolls = 0;
  }

  failNext(failure: ScriptedFailure): void {
    this.failures.push({ ...failure, times: failure.times ?? 1 });
  }

  /** Requests that reached the REST API (not git, not OAuth). */
  apiRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/api/v3/'));
  }

  /** The comments on issue/PR `number` of "owner/name", oldest first. */
  comments(repoName: string, number: number): FakeComment[] {
    return [...(this.commentsByIssue.get(`${repoName.toLowerCase()}#${number}`) ?? [])];
  }

  /** A comment written by someone else (a user's own, or one that copies our marker). */
  addComment(repoName: string, number: number, login: string, body: string): FakeComment {
    const key = `${repoName.toLowerCase()}#${number}`;
    const at = new Date().toISOString();
    const comment = { id: this.nextCommentId++, body, login, createdAt: at, updatedAt: at };
    this.commentsByIssue.set(key, [...(this.commentsByIssue.get(key) ?? []), comment]);
    return comment;
  }

  /** The statuses set on a commit of "owner/name", oldest first. */
  statuses(repoName: string, sha: string): FakeStatus[] {
    return [...(this.statusesBySha.get(`${repoName.toLowerCase()}@${sha.toLowerCase()}`) ?? [])];
  }

  /** Every status set on any commit of "owner/name", by commit SHA. */
  statusesByCommit(repoName: string): Map<string, FakeStatus[]> {
    const prefix = `${repoName.toLowerCase()}@`;
    const out = new Map<string, FakeStatus[]>();
    for (const [key, list] of this.statusesBySha)
      if (key.startsWith(prefix)) out.set(key.slice(prefix.length), [...list]);
    return out;
  }

  private repo(fullName: string): Repo | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  private async diffFiles(dir: string, base: string, head: string): Promise<FakeFile[]> {
    const numstat = await git(dir, ['diff', '--numstat', '--no-renames', `${base}...${head}`]);
    const statuses = await git(dir, ['diff', '--name-status', '--no-renames', `${base}...${head}`]);
    const statusOf = new Map(
      statuses
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [s = 'M', f = ''] = l.split('\t');
          return [f, s === 'A' ? 'added' : s === 'D' ? 'removed' : 'modified'] as const;
        }),
    );
    const files: FakeFile[] = [];
    for (const line of numstat.trim().split('\n').filter(Boolean)) {
      const [add = '0', del = '0', filename = ''] = line.split('\t');
      const diff = await git(dir, ['diff', `${base}...${head}`, '--', filename]);
      const at = diff.indexOf('\n@@');
      files.push({
        filename,
        status: statusOf.get(filename) ?? 'modified',
        additions: Number(add) || 0,
        deletions: Number(del) || 0,
        ...(at >= 0 ? { patch: diff.slice(at + 1).trimEnd() } : {}),
      });
    }
    return files;
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const authorization = req.headers.authorization;
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      ...(authorization ? { authorization } : {}),
      at: Date.now(),
    });
    const failure = this.failures.find(
      (f) => (f.times ?? 0) > 0 && (!f.method || f.method === req.method) && f.path.test(url.pathname),
    );
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      await drain(req);
      return json(res, failure.status, failure.body ?? { message: 'scripted failure' }, failure.headers);
    }
    if (url.pathname === '/login/device/code' && req.method === 'POST') return this.deviceCode(req, res);
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST')
      return this.accessToken(req, res);
    if (url.pathname.startsWith('/api/v3/')) return this.api(req, res, url);
    const gitPath = /^\/([^/]+)\/([^/]+)\.git(\/.*)$/.exec(url.pathname);
    if (gitPath) return this.git(req, res, url, gitPath[1]!, gitPath[2]!, gitPath[3]!);
    await drain(req);
    json(res, 404, { message: 'Not Found' });
  }

  private async deviceCode(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const d = this.device;
    if (!d || body.client_id !== d.clientId || d.codeError === 'not_found')
      return json(res, 404, { error: 'Not Found' });
    if (d.codeError === 'device_flow_disabled') {
      return json(res, 400, {
        error: 'device_flow_disabled',
        error_description: 'Device Flow must be explicitly enabled for this App',
        error_uri: 'https://docs.github.com',
      });
    }
    d.issuedAt = Date.now();
    d.step = 0;
    json(res, 200, {
      device_code: d.deviceCode,
      user_code: d.userCode ?? 'WDJB-MJHT',
      verification_uri: `${this.url}/login/device`,
      expires_in: d.expiresIn ?? 900,
      interval: d.interval ?? 5,
    });
  }

  private async accessToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const d = this.device;
    const now = Date.now();
    if (!d || body.client_id !== d.clientId) return json(res, 200, { error: 'incorrect_client_credentials' });
    if (body.device_code !== d.deviceCode) return json(res, 200, { error: 'incorrect_device_code' });
    if (body.grant_type !== 'urn:ietf:params:oauth:grant-type:device_code')
      return json(res, 200, { error: 'unsupported_grant_type' });
    const previous = this.polls.at(-1) ?? d.issuedAt;
    this.polls.push(now);
    const interval = this.currentInterval;
    const reply = (answer: Record<string, unknown>) => {
      this.pollLog.push({ at: now, interval, answer: String(answer.error ?? 'token') });
      json(res, 200, answer);
    };
    // GitHub's rule: a poll sooner than the interval is answered slow_down (+5 s for later polls too).
    if (now - previous < this.currentInterval * this.secondMs - 5) {
      this.tooEarlyPolls++;
      this.currentInterval += 5;
      return reply({
        error: 'slow_down',
        interval: this.currentInterval,
        error_description: 'Too many requests',
      });
    }
    const step = d.steps[Math.min(d.step, d.steps.length - 1)] ?? 'pending';
    d.step++;
    if (step === 'pending') return reply(oauthError('authorization_pending'));
    if (step === 'slow_down') {
      this.currentInterval += 5;
      return reply({ ...oauthError('slow_down'), interval: this.currentInterval });
    }
    if (step === 'denied') return reply(oauthError('access_denied'));
    if (step === 'expired') return reply(oauthError('expired_token'));
    if (typeof step === 'object') {
      // A bare RFC 8628 answer: a slow_down without the new interval (GitHub sends it; not every server does).
      if (step.error === 'slow_down') this.currentInterval += 5;
      return reply(oauthError(step.error));
    }
    reply({ access_token: d.token, token_type: 'bearer', scope: 'repo' });
  }

  private userFor(authorization: string | undefined): FakeUser | 'invalid' | undefined {
    if (!authorization) return undefined;
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization);
    if (!m) return 'invalid';
    return this.users.get(m[1]!) ?? 'invalid';
  }

  private canRead(user: FakeUser | undefined, repo: Repo): boolean {
    if (!repo.private) return true;
    if (!user) return false;
    const full = `${repo.owner}/${repo.name}`.toLowerCase();
    return (
      user.login.toLowerCase() === repo.owner.toLowerCase() ||
      (user.canRead ?? []).some((r) => r.toLowerCase() === full)
    );
  }

  private canPush(user: FakeUser | undefined, repo: Repo): boolean {
    if (!user) return false;
    const full = `${repo.owner}/${repo.name}`.toLowerCase();
    return (
      user.login.toLowerCase() === repo.owner.toLowerCase() ||
      (user.canPush ?? []).some((r) => r.toLowerCase() === full)
    );
  }

  /** What GitHub adds to a repository for a signed-in user (nothing for anonymous requests). */
  private permissions(user: FakeUser | undefined, repo: Repo) {
    if (!user) return {};
    const push = this.canPush(user, repo);
    return { permissions: { admin: false, maintain: false, push, triage: push, pull: true } };
  }

  private async api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const raw = (await drain(req)).toString('utf8');
    const who = this.userFor(req.headers.authorization);
    const headers: Record<string, string> = {
      'x-ratelimit-limit': who ? '5000' : '60',
      'x-ratelimit-remaining': who ? '4999' : '59',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-github-api-version-selected': '2022-11-28',
    };
    if (who === 'invalid') {
      return json(
        res,
        401,
        { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' },
        headers,
      );
    }
    if (who && who.scopes !== null) headers['x-oauth-scopes'] = (who.scopes ?? ['repo']).join(', ');
    const route = url.pathname.slice('/api/v3'.length);
    if (route === '/user' && req.method === 'GET') {
      if (!who) return json(res, 401, { message: 'Requires authentication', status: '401' }, headers);
      return json(res, 200, { login: who.login, id: 1, type: 'User' }, headers);
    }
    const repoRoute = /^\/repos\/([^/]+)\/([^/]+)$/.exec(route);
    if (repoRoute && req.method === 'GET') {
      const repo = this.repo(`${repoRoute[1]}/${repoRoute[2]}`);
      if (!repo || !this.canRead(who, repo))
        return json(res, 404, { message: 'Not Found', status: '404' }, headers);
      return json(res, 200, { ...this.repoJson(repo), ...this.permissions(who, repo) }, headers);
    }
    const m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)(\/files)?$/.exec(route);
    if (m && req.method === 'GET') {
      const repo = this.repo(`${m[1]}/${m[2]}`);
      const pull = this.pulls.get(`${m[1]}/${m[2]}#${m[3]}`.toLowerCase());
      if (!repo || !pull || !this.canRead(who, repo))
        return json(res, 404, { message: 'Not Found', status: '404' }, headers);
      if (!m[4]) return json(res, 200, this.pullJson(pull, who), headers);
      const { items, link } = paginate(url, pull.files);
      const slice = items.map((f) => ({
        sha: '0'.repeat(40),
        status: 'modified',
        additions: 0,
        deletions: 0,
        changes: 0,
        ...f,
      }));
      return json(res, 200, slice, { ...headers, ...link });
    }
    const comments = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(?:(\d+)\/comments|comments\/(\d+))$/.exec(route);
    const call: ApiCall = { req, res, url, who, headers, raw };
    if (comments) return this.commentsApi(call, comments);
    const statuses = /^\/repos\/([^/]+)\/([^/]+)\/(?:statuses|commits)\/([^/]+?)(\/statuses)?$/.exec(route);
    if (statuses && (route.includes('/statuses/') || statuses[4])) return this.statusesApi(call, statuses);
    json(res, 404, { message: 'Not Found', status: '404' }, headers);
  }

  /**
   * GitHub's answers to a write it refuses: 401 anonymous, 404 when the repository is out of sight (or,
   * `needPush`, when the user may not push: GitHub hides what it will not let you change), 403 for a
   * read-only token. undefined: allowed.
   */
  private refuseWrite(
    res: ServerResponse,
    who: FakeUser | undefined,
    repo: Repo | undefined,
    headers: Record<string, string>,
    needPush: boolean,
  ): true | undefined {
    if (!who) {
      json(res, 401, { message: 'Requires authentication', status: '401' }, headers);
      return true;
    }
    if (!repo || !this.canRead(who, repo) || (needPush && !who.readOnly && !this.canPush(who, repo))) {
      json(res, 404, { message: 'Not Found', status: '404' }, headers);
      return true;
    }
    if (who.readOnly) {
      json(
        res,
        403,
        {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
          status: '403',
        },
        { ...headers, 'x-accepted-github-permissions': 'issues=write; pull_requests=write' },
      );
      return true;
    }
    return undefined;
  }

  private commentJson(repo: Repo, number: number, c: FakeComment) {
    const base = `${this.url}/${repo.owner}/${repo.name}`;
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${this.apiUrl}/repos/${repo.owner}/${repo.name}/issues/comments/${c.id}`,
      html_url: `${base}/pull/${number}#issuecomment-${c.id}`,
      issue_url: `${this.apiUrl}/repos/${repo.owner}/${repo.name}/issues/${number}`,
      body: c.body,
      user: { login: c.login, type: c.login.endsWith('[bot]') ? 'Bot' : 'User' },
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: 'NONE',
    };
  }

  private async commentsApi(call: ApiCall, m: RegExpExecArray): Promise<void> {
    const { req, res, url, who, headers, raw } = call;
    const repo = this.repo(`${m[1]}/${m[2]}`);
    if (m[3] !== undefined) {
      const number = Number(m[3]);
      const exists = this.pulls.has(`${m[1]}/${m[2]}#${number}`.toLowerCase());
      if (req.method === 'GET') {
        if (!repo || !exists || !this.canRead(who, repo))
          return json(res, 404, { message: 'Not Found', status: '404' }, headers);
        const { items, link } = paginate(url, this.comments(`${repo.owner}/${repo.name}`, number));
        return json(
          res,
          200,
          items.map((c) => this.commentJson(repo, number, c)),
          { ...headers, ...link },
        );
      }
      if (req.method === 'POST') {
        if (this.refuseWrite(res, who, repo, headers, false) || !repo || !who) return;
        if (!exists) return json(res, 404, { message: 'Not Found', status: '404' }, headers);
        const body = jsonBody(raw)?.body;
        if (typeof body !== 'string' || body.length === 0)
          return json(res, 422, validationFailed('body', 'missing_field'), headers);
        if (body.length > 65_536)
          return json(res, 422, validationFailed('body', 'too long (maximum is 65536 characters)'), headers);
        const comment = this.addComment(`${repo.owner}/${repo.name}`, number, who.login, body);
        return json(res, 201, this.commentJson(repo, number, comment), headers);
      }
    } else if (req.method === 'PATCH' || req.method === 'GET') {
      const id = Number(m[4]);
      const found = [...this.commentsByIssue.entries()].flatMap(([key, list]) =>
        key.startsWith(`${m[1]}/${m[2]}#`.toLowerCase())
          ? list.filter((c) => c.id === id).map((c) => ({ c, number: Number(key.split('#')[1]) }))
          : [],
      )[0];
      if (req.method === 'GET') {
        if (!repo || !found || !this.canRead(who, repo))
          return json(res, 404, { message: 'Not Found', status: '404' }, headers);
        return json(res, 200, this.commentJson(repo, found.number, found.c), headers);
      }
      if (this.refuseWrite(res, who, repo, headers, false) || !repo || !who) return;
      if (!found) return json(res, 404, { message: 'Not Found', status: '404' }, headers);
      // Only the author, or someone with push access, may edit a comment.
      if (found.c.login.toLowerCase() !== who.login.toLowerCase() && !this.canPush(who, repo))
        return json(res, 403, { message: 'You cannot edit this comment', status: '403' }, headers);
      const body = jsonBody(raw)?.body;
      if (typeof body !== 'string' || body.length === 0)
        return json(res, 422, validationFailed('body', 'missing_field'), headers);
      found.c.body = body;
      found.c.updatedAt = new Date(Math.max(Date.now(), Date.parse(found.c.updatedAt) + 1)).toISOString();
      return json(res, 200, this.commentJson(repo, found.number, found.c), headers);
    }
    json(res, 404, { message: 'Not Found', status: '404' }, headers);
  }

  private async statusesApi(call: ApiCall, m: RegExpExecArray): Promise<void> {
    const { req, res, who, headers, raw } = call;
    const repo = this.repo(`${m[1]}/${m[2]}`);
    const ref = decodeURIComponent(m[3] ?? '');
    if (req.method === 'GET') {
      if (!repo || !this.canRead(who, repo))
        return json(res, 404, { message: 'Not Found', status: '404' }, headers);
      const list = this.statuses(`${repo.owner}/${repo.name}`, ref).reverse();
      return json(
        res,
        200,
        list.map((s) => this.statusJson(s)),
        headers,
      );
    }
    if (req.method !== 'POST' || m[4])
      return json(res, 404, { message: 'Not Found', status: '404' }, headers);
    if (this.refuseWrite(res, who, repo, headers, true) || !repo || !who) return;
    const body = jsonBody(raw) ?? {};
    if (!['error', 'failure', 'pending', 'success'].includes(String(body.state)))
      return json(res, 422, validationFailed('state', 'invalid'), headers);
    const known = /^[0-9a-f]{40}$/.test(ref)
      ? await git(repo.dir, ['cat-file', '-t', ref]).then(
          (t) => t.trim() === 'commit',
          () => false,
        )
      : false;
    if (!known) return json(res, 422, { message: `No commit found for SHA: ${ref}`, status: '422' }, headers);
    const status: FakeStatus = {
      id: this.nextStatusId++,
      state: String(body.state),
      context: typeof body.context === 'string' ? body.context : 'default',
      description: typeof body.description === 'string' ? body.description : null,
      targetUrl: typeof body.target_url === 'string' ? body.target_url : null,
      login: who.login,
    };
    if ((status.description?.length ?? 0) > 140)
      return json(res, 422, validationFailed('description', 'too long (maximum is 140 characters)'), headers);
    const key = `${repo.owner}/${repo.name}@${ref}`.toLowerCase();
    this.statusesBySha.set(key, [...(this.statusesBySha.get(key) ?? []), status]);
    return json(res, 201, this.statusJson(status), headers);
  }

  private statusJson(s: FakeStatus) {
    return {
      id: s.id,
      state: s.state,
      context: s.context,
      description: s.description,
      target_url: s.targetUrl,
      creator: { login: s.login },
    };
  }

  private repoJson(r: Repo) {
    return {
      id: r.id,
      name: r.name,
      full_name: `${r.owner}/${r.name}`,
      private: r.private,
      owner: { login: r.owner },
      html_url: `${this.url}/${r.owner}/${r.name}`,
      clone_url: this.cloneUrl(r.owner, r.name),
    };
  }

  private pullJson(p: Pull, who: FakeUser | undefined) {
    const repoJson = (r: Repo) => ({
      ...this.repoJson(r),
      ...(this.permissionsInPulls ? this.permissions(who, r) : {}),
    });
    const headRepo =
      p.headRepo === null
        ? null
        : p.headRepo.toLowerCase() === `${p.repo.owner}/${p.repo.name}`.toLowerCase()
          ? repoJson(p.repo)
          : {
              id: p.repo.id + 5000,
              name: p.headRepo.split('/')[1],
              full_name: p.headRepo,
              private: false,
              fork: true,
              owner: { login: p.headRepo.split('/')[0] },
              clone_url: `${this.url}/${p.headRepo}.git`,
            };
    return {
      id: p.number * 7,
      number: p.number,
      html_url: `${this.url}/${p.repo.owner}/${p.repo.name}/pull/${p.number}`,
      state: p.state,
      title: p.title,
      body: p.body,
      user: { login: p.author },
      draft: p.draft,
      merged: p.merged,
      merged_at: p.merged ? '2025-01-09T10:00:00Z' : null,
      changed_files: p.files.length,
      head: { label: `${p.author}:${p.headRef}`, ref: p.headRef, sha: p.headSha, repo: headRepo },
      base: { label: `${p.repo.owner}:${p.baseRef}`, ref: p.baseRef, sha: p.baseSha, repo: repoJson(p.repo) },
    };
  }

  private async git(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    owner: string,
    name: string,
    rest: string,
  ): Promise<void> {
    const repo = this.repo(`${owner}/${name}`);
    const service = url.searchParams.get('service');
    if (rest.includes('receive-pack') || service === 'git-receive-pack') {
      await drain(req);
      return json(res, 403, { message: 'read-only fake' });
    }
    let auth: GitRequest['auth'] = 'none';
    let user: FakeUser | undefined;
    const header = req.headers.authorization;
    if (header) {
      const basic = /^basic\s+(\S+)$/i.exec(header);
      const password = basic
        ? Buffer.from(basic[1]!, 'base64').toString().split(':').slice(1).join(':')
        : undefined;
      const bearer = /^bearer\s+(\S+)$/i.exec(header)?.[1];
      user = this.users.get(password ?? bearer ?? '');
      auth = user ? 'valid' : 'invalid';
    }
    this.gitRequests.push({ path: url.pathname, auth, ...(user ? { login: user.login } : {}) });
    if (auth === 'invalid' || !repo || !this.canRead(user, repo)) {
      await drain(req);
      // GitHub answers 401 with a challenge for anything it will not show anonymously.
      res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"', 'content-type': 'text/plain' });
      return void res.end('Invalid username or token.');
    }
    await cgi(req, res, {
      GIT_PROJECT_ROOT: this.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: `/${repo.owner}/${repo.name}.git${rest}`,
      REQUEST_METHOD: req.method ?? 'GET',
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
      HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_ADDR: '127.0.0.1',
      REMOTE_USER: user?.login ?? '',
    });
  }
}

/** One page of a list, as GitHub pages it: `per_page` (≤ 100, default 30), `page`, and a Link header. */
function paginate<T>(url: URL, all: readonly T[]): { items: T[]; link: Record<string, string> } {
  const perPage = Math.min(100, Number(url.searchParams.get('per_page')) || 30);
  const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const link = (p: number, rel: string) => {
    const u = new URL(url.href);
    u.searchParams.set('page', String(p));
    u.searchParams.set('per_page', String(perPage));
    return `<${u.href}>; rel="${rel}"`;
  };
  const links = [
    ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
    ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : []),
  ];
  return {
    items: all.slice((page - 1) * perPage, page * perPage),
    link: links.length ? { link: links.join(', ') } : {},
  };
}

function jsonBody(raw: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(raw) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function validationFailed(field: string, code: string) {
  return {
    message: 'Validation Failed',
    errors: [{ resource: 'IssueComment', field, code }],
    documentation_url: 'https://docs.github.com/rest',
    status: '422',
  };
}

function oauthError(error: string) {
  return { error, error_description: `fake: ${error}`, error_uri: 'https://docs.github.com/developers/apps' };
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function drain(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readBody(req: IncomingMessage): Promise<Record<string, string>> {
  const raw = (await drain(req)).toString('utf8');
  if (/json/.test(req.headers['content-type'] ?? '')) return raw ? JSON.parse(raw) : {};
  return Object.fromEntries(new URLSearchParams(raw));
}

/** Run `git http-backend` as a CGI script for one request. */
function cgi(req: IncomingMessage, res: ServerResponse, vars: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: os.tmpdir(),
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: os.devNull,
        ...vars,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const i = line.indexOf(':');
        const key = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else headers[key] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => {
      if (!headersDone) res.writeHead(500);
      res.end();
      resolve();
    });
    req.pipe(child.stdin);
  });
}
