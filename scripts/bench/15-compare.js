// The base comparison's cost on the demo (feature/stats against main): head alone (--no-compare-base),
// compared with the base run cold (--refresh-base: the base is installed, started and crawled), and with
// the base run cached. Interleaved runs, medians; the mirror is warm for all three so only the base differs.
// Goal (issue 8): compare ≤ 1.5× head-only cold, ≤ 1.1× with the base cached.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';
import { reportOf } from './lib/simulateReport.js';

// MYFAV_BENCH_ROUNDS: more rounds on a busy machine (the medians settle).
const rounds = Math.max(3, Number(process.env.MYFAV_BENCH_ROUNDS) || 3);
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
    const timeTool = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
    const cpuFile = path.join(work, 'cpu.txt');
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
      // CPU time of the run and everything it waited for (browser, apps), where GNU time is installed:
      // unlike wall time it hardly depends on what else the machine runs.
      const command = timeTool
        ? [timeTool, ['-f', '%U %S', '-o', cpuFile, process.execPath, ctx.bin, ...args, ...flags]]
        : [process.execPath, [ctx.bin, ...args, ...flags]];
      const run = spawnSync(command[0], command[1], {
        env,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const report = reportOf(run.stdout);
      if (report.status !== 'completed')
        throw new Error(`simulation did not complete: ${run.stdout.slice(0, 500)}`);
      const cpuMs = timeTool
        ? readFileSync(cpuFile, 'utf8')
            .trim()
            .split(/\s+/)
            .slice(-2)
            .reduce((total, seconds) => total + Number(seconds) * 1000, 0)
        : undefined;
      return { wallMs, cpuMs, report };
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
    const headOnlyCpu = median(results[0].map((r) => r.cpuMs ?? 0));
    const ms = (v) => (v === undefined ? '-' : `${Math.round(v)} ms`);
    /** Median over the rounds of one figure of the report (absent in a run: not counted). */
    const medianOf = (i, pick) => {
      const values = results[i].map((r) => pick(r.report)).filter((v) => v !== undefined);
      return values.length ? median(values) : undefined;
    };
    const sum = (timings, keys) =>
      timings ? keys.reduce((total, k) => total + (timings[k] ?? 0), 0) : undefined;
    const rows = variants.map((v, i) => {
      const wall = median(results[i].map((r) => r.wallMs));
      const verdicts = [...new Set(results[i].map((r) => r.report.verdict))].join('/');
      const base = (r) => (r.comparison?.cached === false ? r.comparison.timings : undefined);
      const cpu = median(results[i].map((r) => r.cpuMs ?? 0));
      return [
        v.name,
        ms(wall),
        `${(wall / headOnly).toFixed(2)}×`,
        timeTool ? `${ms(cpu)} (${(cpu / headOnlyCpu).toFixed(2)}×)` : '-',
        // Where the wall time goes: the head's phases (job timings) and the base's own, which overlap them.
        ms(medianOf(i, (r) => sum(r.timings, ['checkout', 'detect', 'install', 'launch']))),
        ms(medianOf(i, (r) => r.timings.crawl)),
        ms(medianOf(i, (r) => r.timings.compare)),
        ms(medianOf(i, (r) => r.timings.teardown)),
        ms(medianOf(i, (r) => sum(base(r), ['checkout', 'detect', 'install', 'launch']))),
        ms(medianOf(i, (r) => base(r)?.crawl)),
        verdicts,
      ];
    });
    return {
      title: 'Base comparison on the demo (feature/stats vs main): wall time per simulation',
      columns: [
        'variant',
        `wall (median of ${rounds})`,
        'vs head only',
        'CPU time',
        'head to app up',
        'crawl',
        'compare',
        'teardown',
        'base to app up',
        'base crawl',
        'verdict',
      ],
      rows,
      notes: [
        "Cold: the base app is installed and started beside the head's, then crawled in a second browser context at each page the head queues (the entry and the diff's routes before the head opens its first page); new findings are opened once more on head, until they are back.",
        'CPU time: user + system of the simulation and the processes it waited for (GNU time), median; the extra work a comparison does, whatever the load.',
        'Phases are medians of each figure on its own (they need not add up to the wall median): head to app up = checkout + detect + install + launch of the head; crawl, compare, teardown = the job phases; base to app up and base crawl = the live base (cold only), which run beside the head phases.',
        "Pages known on both sides are compared (pixels, a second load of new problems) while the head goes on; with the base cached nothing of the base runs. The browser is the one a simulation finds (Debian's headless shell where installed).",
        `Machine: ${os.cpus().length} cores, Node ${process.version}, load average ${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end (other work on the machine slows every variant, but not alike: the extra work of a comparison is CPU, and waits overlap only when a core is free).`,
      ],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
