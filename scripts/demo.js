#!/usr/bin/env node
// `npm run demo`: build the bundled demo repository in a temp dir and simulate its feature branch,
// which adds a stats page and note search — and, with them, real regressions. Expected: FAIL with findings.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemoRepo } from '../fixtures/buildDemoRepo.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const workDir = mkdtempSync(path.join(os.tmpdir(), 'myfav-demo-'));
let status = 2;
try {
  const demo = await buildDemoRepo(path.join(workDir, 'demo-notes'));
  process.stderr.write(
    `Demo repository: ${demo.repoPath} (branches ${demo.baseBranch}, ${demo.headBranch})\n`,
  );
  const args = [
    path.join(root, 'bin', 'myfav-coworker.js'),
    'simulate',
    demo.repoPath,
    '--head',
    demo.headBranch,
    '--base',
    demo.baseBranch,
    ...process.argv.slice(2),
  ];
  const run = spawnSync(process.execPath, args, { stdio: 'inherit' });
  status = run.status ?? 2;
  if (status === 1) {
    process.stderr.write(
      '\nThe demo branch has real bugs, so FAIL is the expected verdict. ' +
        'See the findings above, the report it names, and `npx myfav-coworker jobs`.\n',
    );
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
// FAIL is the demo working as intended; anything else (an error, or a PASS) is a real problem.
process.exit(status === 1 ? 0 : status === 0 ? 3 : status);
