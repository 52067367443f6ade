// The base comparison's cost on the demo (feature/stats against main): head alone (--no-compare-base),
// compared with the base run cold (--refresh-base: the base is installed, started and crawled), and with
// the base run cached. Interleaved runs, medians; the mirror is warm for all three so only the base differs.
// Goal (issue 8): compare ≤ 1.5× head-only cold, ≤ 1.1× with the base cached.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';
import { reportOf } from './lib/simulateReport.js';

const rounds = 3;
const variants = [
  { name: 'head only (--no-compare-base)', flags: ['--no-compare-base'] },
  { name: 'compare, base run cold (--refresh-base)', flags: ['--refresh-base'] },
  { name: 'compare, base run cached', flags: [] },
];

export default async function compare(ctx) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'myfav-bench-compare-'));
  try {
    const { repoPath } = await buildDemoRepo(path.join(work, 'demo'));
    const env = { ...process.env, MYFAV_COWORKER_HOME: path.join(work, 'home'), NO_COLOR: '1' };
    delete env.ANTHROPIC_API_KEY;
    const simulate = (flags) => {
      const started = process.hrtime.bigint();
      const args = [
        'simulate',
        repoPath,
        '--head',
        'feature/stats',
        '--base',
        'main',
        '--json',
        '--no-agent',
      ];
      const run = spawnSync(process.execPath, [ctx.bin, ...args, ...flags], {
        env,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const report = reportOf(run.stdout);
      if (report.status !== 'completed')
        throw new Error(`simulation did not complete: ${run.stdout.slice(0, 500)}`);
      return { wallMs, report };
    };
    const loadBefore = os.loadavg()[0];
    ctx.log('warm-up run (mirror, base cache)');
    simulate([]);
    const results = variants.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, v] of variants.entries()) {
        ctx.log(`round ${round + 1}/${rounds}: ${v.name}`);
        results[i].push(simulate(v.flags));
      }
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const headOnly = median(results[0].map((r) => r.wallMs));
    const rows = variants.map((v, i) => {
      const wall = median(results[i].map((r) => r.wallMs));
      const compareMs = median(results[i].map((r) => r.report.timings.compare ?? 0));
      const verdicts = [...new Set(results[i].map((r) => r.report.verdict))].join('/');
      return [
        v.name,
        `${Math.round(wall)} ms`,
        `${(wall / headOnly).toFixed(2)}×`,
        `${Math.round(compareMs)} ms`,
        verdicts,
      ];
    });
    return {
      title: 'Base comparison on the demo (feature/stats vs main): wall time per simulation',
      columns: ['variant', `wall (median of ${rounds})`, 'vs head only', 'compare phase', 'verdict'],
      rows,
      notes: [
        "Cold: the base app is installed and started while the head installs and is crawled, then crawled at the head's pages in a second browser context; new findings are opened once more on head.",
        'The base also visits each page as the head reaches it, and pages known on both sides are compared (pixels, a second load of new problems) while the head goes on; with the base cached nothing of the base runs.',
        `Machine: ${os.cpus().length} cores, Node ${process.version}, load average ${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end (other work on the machine slows every variant, but not alike: the extra work of a comparison is CPU, and waits overlap only when a core is free).`,
      ],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
