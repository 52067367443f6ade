// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} in strings are the config's placeholders, not JS
// The layout shared by the backends we find without config (Python, Node): a backend folder beside a
// frontend folder with a package.json. The backend runs as the service "api" on a port of the job's,
// and the frontend, the app the browser opens, is told the API's URL under the names dev servers and
// proxies usually read it from.

import path from 'node:path';
import type { ServiceConfig } from '../../config/schema.js';
import { isDir, isFile } from '../fileKinds.js';

const backendDirs = ['backend', 'api', 'server'];
const frontendDirs = ['frontend', 'web', 'client', 'ui'];
const apiUrlNames = ['API_URL', 'BACKEND_URL', 'VITE_API_URL', 'NEXT_PUBLIC_API_URL', 'REACT_APP_API_URL'];

/** The first backend folder `isBackend` accepts and the frontend beside it, or undefined. */
export function backendBesideFrontend<T>(
  worktree: string,
  isBackend: (dir: string) => T | undefined,
): { backend: string; found: T; frontend: string } | undefined {
  const frontend = frontendDirs.find((d) => isFile(path.join(worktree, d, 'package.json')));
  if (!frontend) return undefined;
  for (const backend of backendDirs) {
    const dir = path.join(worktree, backend);
    const found = isDir(dir) ? isBackend(dir) : undefined;
    if (found !== undefined) return { backend, found, frontend };
  }
  return undefined;
}

/** The services: the backend as "api", the frontend as the app that depends on it. */
export function apiAndFrontend(api: ServiceConfig, frontend: string): Record<string, ServiceConfig> {
  const url = '${services.api.url}';
  return {
    api,
    web: {
      cwd: frontend,
      env: Object.fromEntries(apiUrlNames.map((name) => [name, url])),
      dependsOn: ['api'],
      app: true,
    },
  };
}

/** "told its URL in API_URL, …", for the report's note. */
export const toldApiUrl = `told its URL in ${apiUrlNames.slice(0, -1).join(', ')} and ${apiUrlNames.at(-1)}`;
