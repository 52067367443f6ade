// Cold vs cached simulation of the demo repository, per phase.
// Cold: empty MYFAV_COWORKER_HOME (no mirror yet). Cached: the same repo again (mirror fetch + worktree only).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';
import { reportOf } from './lib/simulateReport.js';

const phases = ['checkout', 'detect', 'install', 'launch', 'crawl', 'agent', 'teardown', 'report'];
const cachedRuns = 3;

export default async function pipeline(ctx) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'myfav-bench-'));
  try {
    const { repoPath } = await buildDemoRepo(path.join(work, 'demo'));
    const env = { ...process.env, MYFAV_COWORKER_HOME: path.join(work, 'home'), NO_COLOR: '1' };
    delete env.ANTHROPIC_API_KEY;
    const simulate = () => {
      const started = process.hrtime.bigint();
      const run = spawnSync(
        process.execPath,
        [ctx.bin, 'simulate', repoPath, '--head', 'feature/stats', '--base', 'main', '--json', '--no-agent'],
        { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const report = reportOf(run.stdout);
      if (report.status !== 'completed')
        throw new Error(`simulation did not complete: ${run.stdout.slice(0, 500)}`);
      return { wallMs, timings: report.timings };
    };
    ctx.log('cold run');
    const cold = simulate();
    const cached = [];
    for (let i = 0; i < cachedRuns; i++) {
      ctx.log(`cached run ${i + 1}/${cachedRuns}`);
      cached.push(simulate());
    }
    const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const ms = (v) => (v === undefined ? '-' : `${Math.round(v)} ms`);
    const rows = phases
      .filter((p) => cold.timings[p] !== undefined || cached.some((c) => c.timings[p] !== undefined))
      .map((p) => [p, ms(cold.timings[p]), ms(median(cached.map((c) => c.timings[p] ?? 0)))]);
    rows.push(['total (job)', ms(cold.timings.total), ms(median(cached.map((c) => c.timings.total)))]);
    rows.push(['wall clock (process)', ms(cold.wallMs), ms(median(cached.map((c) => c.wallMs)))]);
    return {
      title: 'Simulation of the demo (feature/stats): cold cache vs cached mirror',
      columns: ['phase', 'cold (1 run)', `cached (median of ${cachedRuns})`],
      rows,
      notes: [
        'checkout = resolve refs, mirror clone (cold) or fetch (cached), worktree add; install is skipped: the demo has no dependencies.',
        `Machine: ${os.cpus().length} cores, Node ${process.version}.`,
      ],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
