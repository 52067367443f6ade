// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} in strings are the config's placeholders, not JS
// A Python web app found without any config: a folder with pyproject.toml / requirements.txt /
// manage.py whose code creates a FastAPI, Starlette or Flask app (or a Django project), started with its
// usual server on the job's port. Two layouts: the app at the repository root (the browser opens it), or
// a backend folder (backend/, api/, server/) beside a frontend folder with a package.json (frontend/,
// web/, client/, ui/): then the backend is a service and the frontend the app, told the backend's URL.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ServiceConfig } from '../../config/schema.js';
import { isFile } from '../fileKinds.js';
import type { PlanNote } from '../types.js';
import { apiAndFrontend, backendBesideFrontend, toldApiUrl } from './backendBeside.js';
import { pythonWith } from './programs.js';

const markers = ['pyproject.toml', 'requirements.txt', 'manage.py', 'setup.py', 'Pipfile'];
const maxFiles = 300;
const maxFileBytes = 200_000;

export interface PythonServices {
  services: Record<string, ServiceConfig>;
  note: PlanNote;
}

interface PythonApp {
  framework: 'FastAPI' | 'Starlette' | 'Flask' | 'Django';
  start: string;
  found: string;
}

export function pythonServices(worktree: string): PythonServices | undefined {
  const root = pythonAppIn(worktree);
  if (root) {
    return {
      services: { app: { start: root.start, app: true } },
      note: note(
        `${root.framework} app at the repository root (${root.found}), started with "${root.start}"`,
      ),
    };
  }
  const beside = backendBesideFrontend(worktree, pythonAppIn);
  if (!beside) return undefined;
  const { backend, found: api, frontend } = beside;
  return {
    services: apiAndFrontend({ cwd: backend, start: api.start, ready: { port: true } }, frontend),
    note: note(
      `${api.framework} API in ${backend}/ (${api.found}), started with "${api.start}", beside the frontend in ${frontend}/ ` +
        `(${toldApiUrl})`,
    ),
  };
}

function note(detail: string): PlanNote {
  return {
    severity: 'info',
    title: 'A Python web app was found and started with its usual server',
    detail: `${detail}. Its dependencies are not installed: the python3 that has them is used. Describe it in "services" of .myfav-coworker.json to change anything.`,
  };
}

/** The Python web app of `dir` (when it has a marker file), and how to start it. */
function pythonAppIn(dir: string): PythonApp | undefined {
  if (!markers.some((m) => isFile(path.join(dir, m)))) return undefined;
  if (isFile(path.join(dir, 'manage.py'))) {
    const python = pythonWith('django') ?? 'python3';
    return {
      framework: 'Django',
      start: `${python} manage.py runserver 127.0.0.1:\${port} --noreload`,
      found: 'manage.py',
    };
  }
  for (const file of pythonFiles(dir)) {
    let text: string;
    try {
      if (statSync(file).size > maxFileBytes) continue;
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const rel = path.relative(dir, file).split(path.sep).join('/');
    const module = rel
      .replace(/\.py$/, '')
      .replace(/\/__init__$/, '')
      .replaceAll('/', '.');
    const asgi = /^(\w+)\s*(?::[^=]*)?=\s*(FastAPI|Starlette)\(/m.exec(text);
    if (asgi) {
      const python = pythonWith('uvicorn') ?? 'python3';
      return {
        framework: asgi[2] as 'FastAPI' | 'Starlette',
        start: `${python} -m uvicorn ${module}:${asgi[1]} --host 127.0.0.1 --port \${port}`,
        found: `${asgi[1]} = ${asgi[2]}() in ${rel}`,
      };
    }
    const flask = /^(\w+)\s*(?::[^=]*)?=\s*Flask\(/m.exec(text);
    if (flask) {
      const python = pythonWith('flask') ?? 'python3';
      return {
        framework: 'Flask',
        start: `${python} -m flask --app ${module}:${flask[1]} run --host 127.0.0.1 --port \${port}`,
        found: `${flask[1]} = Flask() in ${rel}`,
      };
    }
  }
  return undefined;
}

/** .py files under `dir`, the usual entry names first, then breadth first (bounded; no venvs or tests). */
function pythonFiles(dir: string): string[] {
  const found: string[] = [];
  const queue = [dir];
  while (queue.length && found.length < maxFiles) {
    const current = queue.shift()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!/^(\.|__pycache__|node_modules|venv|env|tests?|migrations|site-packages)/.test(entry.name))
          queue.push(full);
      } else if (entry.isFile() && entry.name.endsWith('.py')) found.push(full);
    }
  }
  const rank = (f: string) => {
    const base = path.basename(f);
    return ['main.py', 'app.py', 'asgi.py', 'wsgi.py', 'server.py', 'api.py'].includes(base) ? 0 : 1;
  };
  return found.sort((a, b) => rank(a) - rank(b));
}
