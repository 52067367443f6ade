// GitHub: what a pull request's checkout and the token lookups cost.
// - PR resolve + checkout of the demo PR against the fake GitHub (tests/fakes/fakeGithub.ts: real Octokit,
//   real git over smart HTTP): cold (empty cache), cached (both commits already there: no download).
// - The OS keychain: each operation runs in a child process (so a hung keychain can be killed), measured
//   against a real Secret Service (gnome-keyring in a private dbus-run-session), next to the 0600 file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';

const runs = 5;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (v) => (v === undefined ? 'n/a' : `${Math.round(v)} ms`);

export default async function github(ctx) {
  const dist = ctx.module;
  // Node runs the fake's TypeScript directly (type stripping).
  const { FakeGithub } = await import(
    pathToFileURL(path.join(ctx.root, 'tests', 'fakes', 'fakeGithub.ts')).href
  );
  const { checkoutTarget } = await dist('jobs/target.js');
  const work = mkdtempSync(path.join(os.tmpdir(), 'myfav-bench-gh-'));
  const fake = await FakeGithub.start();
  const rows = [];
  try {
    const token = `ghp_${'b'.repeat(36)}`;
    fake.addUser({ login: 'bench', token, scopes: ['repo'], canPush: ['acme/demo'] });
    const { repoPath } = await buildDemoRepo(path.join(work, 'demo'));
    await fake.addRepo({ owner: 'acme', name: 'demo', source: repoPath });
    await fake.addPull({
      repo: 'acme/demo',
      number: 1,
      title: 'Bench',
      head: { branch: 'feature/stats' },
      base: { branch: 'main' },
    });
    // The product's own adapters (deps.github(host)), pointed at the fake with the user's token in GH_TOKEN.
    const { createDeps } = await dist('deps.js');
    const home = path.join(work, 'home');
    const github = createDeps({
      env: { ...process.env, MYFAV_GITHUB_API_URL: fake.apiUrl, GH_TOKEN: token },
      paths: {
        data: path.join(home, 'data'),
        cache: path.join(home, 'cache'),
        config: path.join(home, 'config'),
      },
    });
    const spec = { kind: 'github', host: 'github.com', owner: 'acme', repo: 'demo', number: 1 };
    const reposDir = path.join(work, 'repos');
    let n = 0;
    const checkout = async () => {
      const gitBefore = fake.gitRequests.length;
      const started = performance.now();
      const c = await checkoutTarget(spec, {
        reposDir,
        worktreeDir: path.join(work, 'wt', `job${++n}`),
        github,
      });
      const elapsed = performance.now() - started;
      await c.remove();
      return { elapsed, gitRequests: fake.gitRequests.length - gitBefore };
    };
    ctx.log('PR checkout: cold');
    const cold = await checkout();
    const cached = [];
    for (let i = 0; i < runs; i++) cached.push(await checkout());
    rows.push([
      'PR resolve + checkout, cold cache',
      ms(cold.elapsed),
      `${cold.gitRequests} git HTTP requests`,
    ]);
    rows.push([
      `PR resolve + checkout, cached (median of ${runs})`,
      ms(median(cached.map((c) => c.elapsed))),
      `${Math.max(...cached.map((c) => c.gitRequests))} git HTTP requests`,
    ]);

    ctx.log('keychain');
    rows.push(...keychainRows(ctx, work));
    rows.push(...(await fileRows(dist, work)));
  } finally {
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  }
  return {
    title: 'GitHub: PR checkout and token storage',
    columns: ['operation', 'time', 'notes'],
    rows,
    notes: [
      'Keychain operations run in a child process each (a hung keychain is killed after 3 s); the file is the 0600 fallback.',
    ],
  };
}

/** Time keychain set/get/delete inside a private Secret Service session (child process per operation). */
function keychainRows(ctx, work) {
  const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  if (process.platform !== 'linux' || !has('dbus-run-session') || !has('gnome-keyring-daemon'))
    return [['keychain (Secret Service) set/get/delete', 'n/a', 'needs dbus-run-session and gnome-keyring']];
  const home = path.join(work, 'keyring-home');
  mkdirSync(home);
  const script = `
    const k = await import(${JSON.stringify(ctx.moduleUrl('auth/keychain.js'))});
    const t = { set: [], get: [], delete: [] };
    for (let i = 0; i < ${runs}; i++) {
      let s = performance.now(); await k.keychainSet('bench.example', 'bench', 'ghp_${'c'.repeat(36)}'); t.set.push(performance.now() - s);
      s = performance.now(); await k.keychainGet('bench.example'); t.get.push(performance.now() - s);
      s = performance.now(); await k.keychainDelete('bench.example'); t.delete.push(performance.now() - s);
    }
    console.log(JSON.stringify(t));`;
  const run = spawnSync(
    'dbus-run-session',
    [
      '--',
      'bash',
      '-c',
      `echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; node --input-type=module -e '${script.replace(/'/g, "'\\''")}'`,
    ],
    {
      env: { ...process.env, HOME: home, XDG_DATA_HOME: path.join(home, 'data') },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const line = run.stdout.trim().split('\n').pop() ?? '';
  let times;
  try {
    times = JSON.parse(line);
  } catch {
    return [['keychain (Secret Service)', 'failed', (run.stderr || line).slice(0, 120)]];
  }
  return ['set', 'get', 'delete'].map((op) => [
    `keychain ${op} (median of ${runs})`,
    ms(median(times[op])),
    'child process + Secret Service round trip',
  ]);
}

async function fileRows(dist, work) {
  const { writeTokenEntry, readTokenFile } = await dist('auth/fileStore.js');
  const dir = path.join(work, 'config');
  const set = [];
  const get = [];
  for (let i = 0; i < runs; i++) {
    let s = performance.now();
    await writeTokenEntry(dir, 'bench.example', { login: 'bench', token: `ghp_${'d'.repeat(36)}` });
    set.push(performance.now() - s);
    s = performance.now();
    await readTokenFile(dir);
    get.push(performance.now() - s);
  }
  return [
    [`token file write (median of ${runs})`, `${median(set).toFixed(1)} ms`, 'atomic write, 0600'],
    [`token file read (median of ${runs})`, `${median(get).toFixed(1)} ms`, ''],
  ];
}
