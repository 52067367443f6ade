// Start-up of the full-stack fixture (MariaDB seeded + FastAPI + the frontend, from its "services"
// config, sandboxed), through the real binary: from the launch phase's start until each service and the
// app answer, read from simulate's progress lines, and the whole launch phase from the report.
// Cold: a fresh MYFAV_COWORKER_HOME per run (first clone into the mirror cache, empty package cache).
// Cached: the same home again (mirror and caches warm). The fixture has no install step (its
// dependencies are Debian packages), and its database is new on every run by design.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildFullstackRepo } from '../../fixtures/buildFullstackRepo.js';
import { machineNote } from './lib/machine.js';

const runs = 3;

export default async function fullstack(ctx) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'myfav-bench-fullstack-'));
  try {
    const { repoPath } = await buildFullstackRepo(path.join(work, 'shop'));
    const startOnce = (home) => {
      const env = { ...process.env, MYFAV_COWORKER_HOME: home, NO_COLOR: '1' };
      delete env.ANTHROPIC_API_KEY;
      const args = ['simulate', repoPath, '--head', 'main', '--json', '--no-agent', '--no-compare-base'];
      const run = spawnSync(process.execPath, [ctx.bin, ...args], {
        env,
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      const file = JSON.parse(run.stdout)?.artifacts?.report_json;
      const report = file ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
      if (report?.status !== 'completed')
        throw new Error(`simulation did not complete: ${run.stderr.slice(-1500)}`);
      // "[  9.3s] launch   db: ready on port 4242" — seconds since the job started.
      const at = (re) => {
        const m = new RegExp(`\\[\\s*([\\d.]+)s\\] \\S+\\s+${re.source}`).exec(run.stderr);
        return m ? Number(m[1]) * 1000 : Number.NaN;
      };
      const launchStart = at(/starting db, api/);
      return {
        db: at(/db: ready on port/) - launchStart,
        api: at(/api: ready on port/) - launchStart,
        app: at(/app answers at/) - launchStart,
        launch: report.timings.launch,
      };
    };

    const cold = [];
    for (let i = 0; i < runs; i++) {
      cold.push(startOnce(path.join(work, `home-cold-${i}`)));
      ctx.log(`cold start ${i + 1}/${runs}: all ready after ${Math.round(cold.at(-1).app)} ms`);
    }
    const warmHome = path.join(work, 'home-warm');
    startOnce(warmHome);
    const cached = [];
    for (let i = 0; i < runs; i++) {
      cached.push(startOnce(warmHome));
      ctx.log(`cached start ${i + 1}/${runs}: all ready after ${Math.round(cached.at(-1).app)} ms`);
    }
    const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const ms = (v) => `${Math.round(v)} ms`;
    const row = (label, key) => [
      label,
      ms(median(cold.map((r) => r[key]))),
      ms(median(cached.map((r) => r[key]))),
    ];
    return {
      title:
        'Full-stack fixture start-up (MariaDB + FastAPI + frontend, sandboxed), from the launch phase start',
      columns: ['ready', `cold (median of ${runs})`, `cached (median of ${runs})`],
      rows: [
        row('db: mariadb-install-db + mariadbd + seed', 'db'),
        row('api: uvicorn answers /api/health', 'api'),
        row('app: the frontend answers / (all ready)', 'app'),
        row('launch phase (report timings)', 'launch'),
      ],
      notes: [
        'Cold: a fresh MYFAV_COWORKER_HOME per run. Cached: one home reused (after a first run). The fixture ' +
          'installs nothing and starts a new database each time, so both mostly measure the services themselves.',
        machineNote(),
      ],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
