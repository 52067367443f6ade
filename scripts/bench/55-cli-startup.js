// CLI start-up: `--version` and `--help` from spawn to exit, against a bare `node -e ""` (the floor),
// in the same run, interleaved. Goal (issue 12): both ≤ 2× bare node.
import { spawn } from 'node:child_process';
import os from 'node:os';

const runs = 9;

export default async function cliStartup(ctx) {
  const cases = [
    { name: 'myfav-coworker --version', args: [ctx.bin, '--version'] },
    { name: 'myfav-coworker --help', args: [ctx.bin, '--help'] },
    { name: 'bare node (floor)', args: ['-e', ''] },
  ];
  const times = new Map(cases.map((c) => [c.name, []]));
  // Uncounted warm-up: fills Node's compile cache.
  for (const c of cases) await timeRun(c.args);
  for (let i = 0; i < runs; i++) {
    for (const c of cases) times.get(c.name).push(await timeRun(c.args));
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const floor = median(times.get('bare node (floor)'));
  const rows = cases.map((c) => {
    const m = median(times.get(c.name));
    return [c.name, `${Math.round(m)} ms`, `${(m / floor).toFixed(2)}×`];
  });
  const worst = Math.max(...cases.slice(0, 2).map((c) => median(times.get(c.name)) / floor));
  return {
    title: 'CLI start-up: spawn → exit (median of runs, interleaved)',
    columns: ['command', 'spawn → exit', '÷ bare node'],
    rows,
    notes: [
      `${runs} runs each after one uncounted warm-up, Node ${process.version}, ${os.cpus().length} CPU(s), load average ${os.loadavg()[0].toFixed(1)} at the end.`,
      `Goal: --version and --help ≤ 2× bare node: ${worst.toFixed(2)}× (${worst <= 2 ? 'met' : 'NOT met'}).`,
    ],
  };
}

function timeRun(args) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}
