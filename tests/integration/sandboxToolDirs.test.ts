// Tools on PATH that live in the user's home (npm's prefix ~/.local, an nvm node, pyenv shims): the
// sandbox mounts what they run from, read-only, and nothing else of that home — no ~/.ssh, no
// ~/.npmrc, no keyring files, no global npmrc of the nvm node, no config of ours. Real bubblewrap.

import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChildEnv } from '../../src/app/childEnv.js';
import { spawnInGroup } from '../../src/app/processGroup.js';
import { openSandboxRun } from '../../src/sandbox/run.js';
import { realSandbox } from '../helpers/sandbox.js';

let dir: string;
let userHome: string;

/** Files of the fake home that must stay unreadable, by path relative to it. */
const secretFiles = [
  '.ssh/id_ed25519',
  '.npmrc',
  '.config/myfav-coworker/config.json',
  '.local/share/keyrings/login.keyring',
  '.nvm/versions/node/v99.0.0/etc/npmrc',
  '.pyenv/notes-with-token.txt',
];

function put(rel: string, content: string, mode = 0o644): void {
  const file = path.join(userHome, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  chmodSync(file, mode);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'myfav-tooldirs-'));
  userHome = path.join(dir, 'user-home');
  for (const rel of secretFiles) put(rel, 'SECRET');
  // npm's prefix set to ~/.local: ~/.local/bin next to ~/.local/lib/node_modules.
  put('.local/bin/localtool', '#!/bin/sh\necho localtool ok\n', 0o755);
  put('.local/lib/node_modules/globalpkg/index.js', 'module.exports = 1;\n');
  // nvm: bin/ holds symlinks into lib/node_modules; include/node the headers.
  const nvmNode = '.nvm/versions/node/v99.0.0';
  put(`${nvmNode}/lib/node_modules/nvmtool/cli.sh`, '#!/bin/sh\necho nvmtool ok\n', 0o755);
  put(`${nvmNode}/include/node/node.h`, '/* headers */\n');
  mkdirSync(path.join(userHome, nvmNode, 'bin'));
  symlinkSync('../lib/node_modules/nvmtool/cli.sh', path.join(userHome, nvmNode, 'bin', 'nvmtool'));
  // pyenv: a shim execs <root>/libexec/pyenv, which runs the program of the selected version.
  const root = path.join(userHome, '.pyenv');
  put('.pyenv/shims/pytool', `#!/bin/sh\nexec "${root}/libexec/pyenv" exec pytool "$@"\n`, 0o755);
  put('.pyenv/libexec/pyenv', `#!/bin/sh\nexec "${root}/versions/$(cat "${root}/version")/bin/$2"\n`, 0o755);
  put('.pyenv/version', '1.0\n');
  put('.pyenv/versions/1.0/bin/pytool', '#!/bin/sh\necho pytool ok\n', 0o755);
  mkdirSync(path.join(root, 'bin'));
  symlinkSync('../libexec/pyenv', path.join(root, 'bin', 'pyenv'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("tool dirs inside the user's home", () => {
  it('run from the sandbox, while nothing else of that home is there to read', async () => {
    const toolPath = [
      path.join(userHome, '.local', 'bin'),
      path.join(userHome, '.nvm', 'versions', 'node', 'v99.0.0', 'bin'),
      path.join(userHome, '.pyenv', 'shims'),
      path.join(userHome, '.pyenv', 'bin'),
      '/usr/bin',
      '/bin',
    ].join(path.delimiter);
    const sandbox = await realSandbox(path.join(dir, 'ours'), { HOME: userHome, PATH: toolPath });
    if (sandbox.kind !== 'bwrap') throw new Error('expected a bubblewrap sandbox');
    const checkout = path.join(dir, 'checkout');
    const home = path.join(dir, 'job-home');
    mkdirSync(checkout, { recursive: true });
    const run = await openSandboxRun(sandbox, { phase: 'app', checkoutDir: checkout, home, cwd: checkout });
    try {
      const env = buildChildEnv({ home, port: run.port ?? 0, jobId: 'tooldirs' }, { PATH: toolPath });
      const reads = secretFiles
        .map((rel) => `cat "${path.join(userHome, rel)}" >/dev/null 2>&1 && echo "READABLE ${rel}"`)
        .join('; ');
      // What of the user's home exists in the sandbox at all (files and links; dirs are mount points).
      const command = `localtool; nvmtool; pytool; ${reads}; find "${userHome}" \\( -type f -o -type l \\) | sort | sed "s|^${userHome}/|SEES |"`;
      const logFile = path.join(dir, 'run.log');
      const proc = spawnInGroup(command, { cwd: checkout, env, logFile, wrap: run.wrap(command, env) });
      expect(await proc.exited).toEqual({ code: 0, signal: null });
      const log = readFileSync(logFile, 'utf8');
      const lines = log.split('\n');
      expect(lines.filter((l) => l.startsWith('READABLE'))).toEqual([]);
      expect(lines.filter((l) => l.startsWith('SEES ')).map((l) => l.slice(5))).toEqual(
        [
          '.local/bin/localtool',
          '.local/lib/node_modules/globalpkg/index.js',
          '.nvm/versions/node/v99.0.0/bin/nvmtool',
          '.nvm/versions/node/v99.0.0/include/node/node.h',
          '.nvm/versions/node/v99.0.0/lib/node_modules/nvmtool/cli.sh',
          '.pyenv/bin/pyenv',
          '.pyenv/libexec/pyenv',
          '.pyenv/shims/pytool',
          '.pyenv/version',
          '.pyenv/versions/1.0/bin/pytool',
        ].sort(),
      );
      // …and every tool runs.
      expect(log).toContain('localtool ok');
      expect(log).toContain('nvmtool ok');
      expect(log).toContain('pytool ok');
    } finally {
      await run.close();
    }
  });
});
