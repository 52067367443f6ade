// Where a server program is on this machine: PATH, then the folders distributions put servers in
// without adding them to PATH (Debian's /usr/sbin for mariadbd, /usr/lib/postgresql/<v>/bin).

import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

export function findProgram(name: string, envPath: string = process.env.PATH ?? ''): string | undefined {
  const postgres = (() => {
    try {
      return readdirSync('/usr/lib/postgresql')
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`);
    } catch {
      return [];
    }
  })();
  for (const dir of [...envPath.split(path.delimiter), '/usr/sbin', '/usr/local/sbin', ...postgres]) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

const pythonCache = new Map<string, string | undefined>();

/**
 * The first `python3` (on PATH, then the system's) that can import `module`: a pyenv or venv python
 * earlier on PATH often lacks what the system's has (Debian's python3-uvicorn), and the other way round.
 */
export function pythonWith(module: string, envPath: string = process.env.PATH ?? ''): string | undefined {
  if (!/^[\w.]+$/.test(module)) return undefined;
  const key = `${module}\0${envPath}`;
  if (pythonCache.has(key)) return pythonCache.get(key);
  const seen = new Set<string>();
  let found: string | undefined;
  for (const dir of [...envPath.split(path.delimiter), '/usr/bin', '/usr/local/bin']) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const file = path.join(dir, 'python3');
    let real: string;
    try {
      accessSync(file, constants.X_OK);
      real = realpathSync(file);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    const probe = spawnSync(file, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 10_000 });
    if (probe.status === 0) {
      found = file;
      break;
    }
  }
  pythonCache.set(key, found);
  return found;
}
