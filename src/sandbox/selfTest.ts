// `doctor`'s sandbox check: a real sandboxed app, reached through the real bridge, that reports what it
// can see. Proves the whole chain (bubblewrap, namespaces, relay, bridge) rather than that bwrap exists.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildChildEnv } from '../app/childEnv.js';
import { killProcessGroup, spawnInGroup } from '../app/processGroup.js';
import { probeHttp } from '../app/readiness.js';
import { CoworkerError } from '../errors.js';
import type { AppPaths } from '../paths.js';
import { sandboxForJob } from './forJob.js';
import { openSandboxRun } from './run.js';

export type SelfTest =
  | { state: 'ok'; detail: string }
  | { state: 'off'; detail: string }
  | { state: 'fail'; detail: string };

// Answers with the number of processes it can see and whether a file next to its checkout is visible.
const probeApp = `node -e "require('http').createServer((q,s)=>s.end(JSON.stringify({pids:require('fs').readdirSync('/proc').filter(p=>/^[0-9]+$/.test(p)).length,home:require('fs').existsSync(process.argv[1])}))).listen(+process.env.PORT,'127.0.0.1')" `;

export async function sandboxSelfTest(
  paths: AppPaths,
  platform: NodeJS.Platform = process.platform,
): Promise<SelfTest> {
  let sandbox: Awaited<ReturnType<typeof sandboxForJob>>;
  try {
    sandbox = await sandboxForJob({ paths, platform });
  } catch (err) {
    const e = err as CoworkerError;
    return { state: 'fail', detail: `${e.message} ${e instanceof CoworkerError ? e.hint : ''}`.trim() };
  }
  if (sandbox.kind === 'none')
    return { state: 'off', detail: `disabled (${sandbox.reason}): the branch's code runs unconfined` };

  const root = await mkdtemp(path.join(os.tmpdir(), 'myfav-doctor-'));
  const work = path.join(root, 'checkout');
  const outside = path.join(root, 'outside.txt');
  await mkdir(path.join(work, 'home'), { recursive: true });
  await writeFile(outside, 'not for the sandbox');
  const started = Date.now();
  const run = await openSandboxRun(sandbox, {
    phase: 'app',
    checkoutDir: work,
    home: path.join(work, 'home'),
    cwd: work,
  });
  try {
    const env = buildChildEnv({ home: path.join(work, 'home'), port: run.port ?? 0, jobId: 'doctor' });
    const command = `${probeApp}'${outside}'`;
    const proc = spawnInGroup(command, {
      cwd: work,
      env,
      logFile: path.join(work, 'app.log'),
      wrap: run.wrap(command, env),
    });
    try {
      const url = new URL(`http://127.0.0.1:${run.port}/`);
      for (let i = 0; i < 100; i++) {
        const r = await probeHttp(url, 1000);
        if (r.ok) break;
        if (proc.child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const body = await fetch(url)
        .then((r) => r.text())
        .catch((err: Error) => `no answer (${err.message})`);
      const seen = JSON.parse(body) as { pids: number; home: boolean };
      if (seen.home)
        return { state: 'fail', detail: `the sandboxed app could see ${outside}, outside its checkout` };
      return {
        state: 'ok',
        detail: `bubblewrap (${sandbox.bwrapPath}): a trial app answered through the bridge in ${Date.now() - started} ms, seeing ${seen.pids} processes and not a file placed beside its checkout`,
      };
    } finally {
      await killProcessGroup(proc.pgid, { graceMs: 500 });
    }
  } catch (err) {
    return { state: 'fail', detail: `a trial run in bubblewrap failed: ${(err as Error).message}` };
  } finally {
    await run.close();
    await rm(root, { recursive: true, force: true });
  }
}
