// Consent in MCP: the model's `trust: true` is never consent. The MCP server in-process over a real
// JobService, the fake GitHub (a user who cannot push to acme/demo), and two SDK clients: one that
// answers elicitation requests as a user would, one that cannot ask.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeps, type Deps } from '../../src/deps.js';
import { JobService } from '../../src/jobs/service.js';
import { silentLogger } from '../../src/log.js';
import { createServer } from '../../src/mcp/server.js';
import { type GithubDemo, startGithubDemo } from '../fakes/githubDemo.js';
import { tempHome } from '../helpers/cli.js';
import { jobIdOf, pollJob, textOf } from '../helpers/mcp.js';
import { killMarked } from '../helpers/processes.js';

let demo: GithubDemo;
let home: ReturnType<typeof tempHome>;
let deps: Deps;
let service: JobService;
let asking: Client;
let mute: Client;
const asked: ElicitRequest['params'][] = [];
let answer: ElicitResult = { action: 'decline' };
const jobs: string[] = [];

async function connect(client: Client): Promise<void> {
  const github = createDeps({
    paths: deps.paths,
    env: { MYFAV_GITHUB_API_URL: demo.apiUrl, MYFAV_KEYCHAIN: 'off', GH_TOKEN: demo.outsiderToken },
    logger: silentLogger,
  });
  const server = createServer({
    service,
    logger: silentLogger,
    version: '0.0.0-test',
    pullRequests: github,
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
}

beforeAll(async () => {
  demo = await startGithubDemo();
  home = tempHome();
  deps = createDeps({ env: { MYFAV_COWORKER_HOME: home.dir }, logger: silentLogger });
  const github = createDeps({
    paths: deps.paths,
    env: { MYFAV_GITHUB_API_URL: demo.apiUrl, MYFAV_KEYCHAIN: 'off', GH_TOKEN: demo.outsiderToken },
    logger: silentLogger,
  });
  service = new JobService({
    paths: deps.paths,
    logger: silentLogger,
    store: () => deps.store(),
    jobDeps: () => ({ paths: deps.paths, logger: silentLogger, store: deps.store(), github }),
    concurrency: 1,
  });
  asking = new Client(
    { name: 'asks-the-user', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} } } },
  );
  asking.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request.params);
    return answer;
  });
  await connect(asking);
  mute = new Client({ name: 'cannot-ask', version: '1.0.0' });
  await connect(mute);
}, 60_000);

afterAll(async () => {
  for (const id of jobs) killMarked(id);
  await service?.shutdown('test over', 5000);
  await asking?.close();
  await mute?.close();
  deps?.close();
  await demo?.close();
  home?.cleanup();
});

const simulate = (client: Client, args: Record<string, unknown>) =>
  client.callTool({ name: 'simulate_pr', arguments: args });
const jobCount = async () => (await service.list({ limit: 100 })).length;

describe('consent for pull requests over MCP', () => {
  it('a client that cannot ask: an error telling the user what to run, and trust: true changes nothing', async () => {
    const gitBefore = demo.fake.gitRequests.length;
    for (const target of ['acme/demo#2', 'acme/demo#5']) {
      const result = await simulate(mute, { target, trust: true });
      expect(result.isError).toBe(true);
      const text = textOf(result);
      expect(text).toMatch(
        /was not run: (it comes from the fork mallory\/demo|you cannot push to acme\/demo)/,
      );
      expect(text).toMatch(/this client cannot ask the user/);
      expect(text).toMatch(
        /`trust: true` was passed, but that is the assistant's word, not the user's consent/,
      );
      expect(text).toContain(
        `\`myfav-coworker simulate https://github.com/${target.replace('#', '/pull/')} --trust\``,
      );
      expect(text).toContain(
        `\`myfav-coworker trust ${target.startsWith('acme/demo#2') ? 'mallory/demo' : 'acme/demo'}\``,
      );
    }
    expect(await jobCount()).toBe(0);
    expect(demo.fake.gitRequests.length).toBe(gitBefore);
  }, 300_000);

  it('a client that can ask: the user sees the facts; declining refuses, and the result says so', async () => {
    answer = { action: 'decline' };
    const result = await simulate(asking, { target: 'acme/demo#2', trust: true });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Not run: the user declined\./);
    const question = asked.at(-1);
    expect(question?.message).toMatch(/^Run code from the fork mallory\/demo by @mallory on your machine\?/);
    expect(question?.message).toMatch(/Author: @mallory/);
    expect(question?.message).toMatch(/public\/stats\.js/);
    expect(question?.message).toMatch(/The assistant says you asked to run it/);

    // "Accept" with the box unticked is no consent either.
    answer = { action: 'accept', content: { run: false } };
    const unticked = await simulate(asking, { target: 'acme/demo#2' });
    expect(unticked.isError).toBe(true);
    expect(textOf(unticked)).toMatch(/without ticking "run"/);
    expect(await jobCount()).toBe(0);
  }, 300_000);

  it('accepting runs the PR at the commit the user saw, and the result says the user agreed', async () => {
    answer = { action: 'accept', content: { run: true } };
    const result = await simulate(asking, { target: 'acme/demo#2', wait_seconds: 50 });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toMatch(/The user agreed to run it \(asked through the client\)/);
    const id = jobIdOf(result);
    jobs.push(id);
    const text = await pollJob(asking, id, (t) => /finished/.test(t), 280_000);
    expect(text).toMatch(/FAIL/);
    const report = service.report(id);
    expect(report?.status).toBe('completed');
    expect(report?.target?.pr).toMatchObject({ number: 2, isFork: true, headRepo: 'mallory/demo' });
    // A call without consent cannot join that job: it is asked again, and refused.
    answer = { action: 'cancel' };
    const again = await simulate(asking, { target: 'acme/demo#2' });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/dismissed the question/);
  }, 300_000);
});
