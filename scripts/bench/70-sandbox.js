// What the OS sandbox costs: starting the demo app (launchApp until it answers) in bubblewrap vs without
// a sandbox, interleaved runs, medians; and the crawl phase of a whole simulation both ways.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';
import { machineNote } from './lib/machine.js';
import { reportOf } from './lib/simulateReport.js';

const launchRuns = 9;
const simulateRuns = 3;

export default async function sandbox(ctx) {
  const dist = ctx.module;
  const { detectApp } = await dist('app/detect.js');
  const { launchApp } = await dist('app/launch.js');
  const { defaultSettings } = await dist('config/schema.js');
  const { sandboxForJob } = await dist('sandbox/forJob.js');
  const work = mkdtempSync(path.join(os.tmpdir(), 'myfav-bench-sbx-'));
  try {
    const { repoPath } = await buildDemoRepo(path.join(work, 'demo'));
    const home = path.join(work, 'home');
    const paths = {
      data: path.join(home, 'data'),
      cache: path.join(home, 'cache'),
      config: path.join(home, 'config'),
    };
    const sandboxes = {
      bubblewrap: await sandboxForJob({ paths }),
      'no sandbox': { kind: 'none', reason: 'bench' },
    };
    const plan = await detectApp(repoPath, [], defaultSettings);
    const launchMs = { bubblewrap: [], 'no sandbox': [] };
    for (let i = 0; i < launchRuns; i++) {
      for (const [name, sb] of Object.entries(sandboxes)) {
        const started = process.hrtime.bigint();
        const app = await launchApp(plan, {
          jobId: `bench-${i}`,
          home: path.join(work, `app-home-${i}`),
          logFile: path.join(work, `app-${i}.log`),
          readyTimeoutMs: 30_000,
          sandbox: sb,
        });
        launchMs[name].push(Number(process.hrtime.bigint() - started) / 1e6);
        await app.stop();
      }
      ctx.log(`launch round ${i + 1}/${launchRuns}`);
    }

    const env = { ...process.env, MYFAV_COWORKER_HOME: home, NO_COLOR: '1' };
    delete env.ANTHROPIC_API_KEY;
    const crawlMs = { bubblewrap: [], 'no sandbox': [] };
    for (let i = 0; i < simulateRuns; i++) {
      for (const name of Object.keys(sandboxes)) {
        const args = ['simulate', repoPath, '--head', 'main', '--json', '--no-agent', '--no-compare-base'];
        if (name === 'no sandbox') args.push('--no-sandbox');
        const run = spawnSync(process.execPath, [ctx.bin, ...args], {
          env,
          encoding: 'utf8',
          maxBuffer: 1 << 26,
        });
        const report = reportOf(run.stdout);
        if (report.status !== 'completed')
          throw new Error(`simulation did not complete: ${run.stdout.slice(0, 400)}`);
        crawlMs[name].push(report.timings.crawl);
      }
      ctx.log(`simulation round ${i + 1}/${simulateRuns}`);
    }

    const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const ms = (v) => `${Math.round(v)} ms`;
    const added = median(launchMs.bubblewrap) - median(launchMs['no sandbox']);
    return {
      title: 'OS sandbox: starting the demo app, and the crawl, in bubblewrap vs without a sandbox',
      columns: ['measure', 'bubblewrap', 'no sandbox', 'added by the sandbox'],
      rows: [
        [
          `launch until ready (median of ${launchRuns})`,
          ms(median(launchMs.bubblewrap)),
          ms(median(launchMs['no sandbox'])),
          ms(added),
        ],
        [
          `crawl phase of a simulation (median of ${simulateRuns})`,
          ms(median(crawlMs.bubblewrap)),
          ms(median(crawlMs['no sandbox'])),
          ms(median(crawlMs.bubblewrap) - median(crawlMs['no sandbox'])),
        ],
      ],
      notes: [
        'Goal: at most 150 ms added per start, no change in crawl time. Launch = launchApp() of `npm run start` ' +
          'until the readiness probe answers (through the loopback bridge when sandboxed), runs interleaved.',
        machineNote(),
      ],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
