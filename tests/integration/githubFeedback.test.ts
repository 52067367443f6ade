// Writing to a pull request with the real Octokit against the fake GitHub: our one comment found again
// across pages of other comments and updated in place, someone else's copy of the marker left alone,
// a token that may not write refused in words that say which permission is missing; commit statuses.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoworkerError } from '../../src/errors.js';
import { createGithubClient } from '../../src/github/octokit.js';
import { commentMarker, setCommitStatus, upsertPullComment } from '../../src/github/prFeedback.js';
import { type GithubDemo, startGithubDemo } from '../fakes/githubDemo.js';

let demo: GithubDemo;
const pr = { owner: 'acme', repo: 'demo', number: 1 };
const client = (token?: string) =>
  createGithubClient({ apiUrl: demo.apiUrl, ...(token ? { token } : {}), retries: 0 });

beforeAll(async () => {
  demo = await startGithubDemo();
}, 60_000);
afterAll(async () => {
  await demo?.close();
});

describe('the verdict comment', () => {
  it('is created once, then found on a later page and updated in place', async () => {
    // A busy PR: 130 comments of others before ours, so ours is on the second page of 100.
    for (let i = 0; i < 130; i++) demo.fake.addComment('acme/demo', 1, 'reviewer', `LGTM ${i}`);
    // Someone who copies the marker: their comment must not be taken for ours.
    const copycat = demo.fake.addComment('acme/demo', 1, 'mallory', `${commentMarker}\nfake verdict: PASS`);
    const gh = await client(demo.outsiderToken);

    const first = await upsertPullComment(gh, pr, 'verdict one');
    expect(first.action).toBe('created');
    expect(first.url).toContain(`#issuecomment-${first.id}`);
    for (let i = 0; i < 5; i++) demo.fake.addComment('acme/demo', 1, 'reviewer', `later ${i}`);

    const second = await upsertPullComment(gh, pr, 'verdict two');
    expect(second).toMatchObject({ id: first.id, action: 'updated' });
    const ours = demo.fake.comments('acme/demo', 1).filter((c) => c.login === 'outsider');
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toBe(`${commentMarker}\nverdict two`);
    expect(demo.fake.comments('acme/demo', 1).find((c) => c.id === copycat.id)?.body).toContain(
      'fake verdict',
    );
    // The list was read page by page (Link headers), not in one request.
    const listed = demo.fake
      .apiRequests()
      .filter((r) => r.method === 'GET' && /\/issues\/1\/comments/.test(r.path));
    expect(listed.some((r) => /page=2/.test(r.path))).toBe(true);
  });

  it('a token that may not write is refused with what to grant, and nothing is written', async () => {
    const before = demo.fake.comments('acme/demo', 5).length;
    const err = await upsertPullComment(await client(demo.readOnlyToken), { ...pr, number: 5 }, 'x').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CoworkerError);
    expect((err as CoworkerError).message).toMatch(
      /Could not write comment on acme\/demo#5: the token may not write there \(HTTP 403: Resource not accessible by integration\)/,
    );
    expect((err as CoworkerError).hint).toMatch(/permissions: pull-requests: write/);
    expect(demo.fake.comments('acme/demo', 5)).toHaveLength(before);

    const anonymous = await upsertPullComment(await client(), { ...pr, number: 5 }, 'x').catch(
      (e: unknown) => e,
    );
    expect((anonymous as CoworkerError).code).toBe('AUTH_REQUIRED');
    expect((anonymous as CoworkerError).message).toMatch(/HTTP 401/);
  });
});

describe('the commit status', () => {
  it('is set on the head commit with the context myfav-coworker, its description within 140 characters', async () => {
    const { data } = await (await client(demo.token)).rest.pulls.get({ ...pr, pull_number: 1 });
    const sha = data.head.sha;
    const outcome = await setCommitStatus(
      await client(demo.token),
      { owner: 'acme', repo: 'demo', sha },
      { state: 'failure', description: `FAIL: ${'x'.repeat(300)}`, targetUrl: 'https://example.com/run/1' },
    );
    expect(outcome).toEqual({ sha, state: 'failure', context: 'myfav-coworker' });
    const [status] = demo.fake.statuses('acme/demo', sha);
    expect(status).toMatchObject({
      state: 'failure',
      context: 'myfav-coworker',
      targetUrl: 'https://example.com/run/1',
    });
    expect(status?.description?.length).toBe(140);
  });

  it('is refused for a user who cannot push (404, as GitHub hides it) and for an unknown commit (422)', async () => {
    const sha = 'f'.repeat(40);
    const outsider = await setCommitStatus(
      await client(demo.outsiderToken),
      { owner: 'acme', repo: 'demo', sha },
      { state: 'success', description: 'PASS' },
    ).catch((e: unknown) => e);
    expect((outsider as CoworkerError).message).toMatch(/the token may not write there \(HTTP 404/);
    expect((outsider as CoworkerError).hint).toMatch(/statuses: write/);
    const unknown = await setCommitStatus(
      await client(demo.token),
      { owner: 'acme', repo: 'demo', sha },
      { state: 'success', description: 'PASS' },
    ).catch((e: unknown) => e);
    expect((unknown as CoworkerError).message).toMatch(/HTTP 422: No commit found for SHA/);
  });
});
