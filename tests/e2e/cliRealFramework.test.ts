import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leftoversIn, repoRoot, reportFromJson, runCli, tempHome } from '../helpers/cli.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';
import { processesWithMarker } from '../helpers/processes.js';

// A real framework from the npm registry (Vite 8 + React 19, pinned by fixtures/real-apps/vite-react's
// lockfile): installed with `npm ci`, started with the port flags Vite needs, and a change to a
// component is tested on the page that renders it.

const fixture = path.join(repoRoot, 'fixtures', 'real-apps', 'vite-react');
const home = tempHome();
let repo: GitRepo | undefined;
afterAll(async () => {
  await repo?.cleanup();
  home.cleanup();
});

function filesOf(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, filesOf(dir, child));
    else out[child] = readFileSync(path.join(dir, child), 'utf8');
  }
  return out;
}

describe('a real Vite + React app', () => {
  it('installs from the lockfile, starts on our port, and fails the branch whose component throws', async () => {
    repo = await createGitRepo({
      files: filesOf(fixture),
      branches: {
        'feature/greeting': {
          'src/Greeting.jsx':
            'export default function Greeting({ user }) {\n  return <p>Hello, {user.name}!</p>;\n}\n',
        },
      },
    });
    const result = await runCli(
      [
        'simulate',
        repo.path,
        '--head',
        'feature/greeting',
        '--base',
        'main',
        '--json',
        '--no-agent',
        '--ready-timeout',
        '120',
      ],
      { home: home.dir, timeoutMs: 600_000 },
    );
    const report = reportFromJson(result.stdout);
    expect(report.error, JSON.stringify(report.error)).toBeUndefined();
    expect(report.app).toMatchObject({
      packageManager: 'npm',
      installCommand: 'npm ci',
      startCommand: 'npm run dev -- --port $PORT --strictPort --host 127.0.0.1',
    });
    expect(report.verdict).toBe('fail');
    expect(result.code).toBe(1);
    // The changed component is rendered by the root page (src/main.jsx, loaded by index.html).
    const errors = report.findings.filter((f) => f.severity === 'error');
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'page-error', page: '/', title: expect.stringMatching(/name/) }),
      ]),
    );
    expect(processesWithMarker(report.id)).toEqual([]);
    expect(leftoversIn(home.dir)).toEqual([]);
  }, 600_000);
});
