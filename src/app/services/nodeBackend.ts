// A Node backend found without any config: a backend folder (backend/, api/, server/) whose package.json
// has a start script, beside a frontend folder (frontend/, web/, client/, ui/). The backend is installed
// and started as an app would be (its own lockfile's package manager, its dev/start script) with PORT
// set to a port of the job's (as for every service), as the service "api"; the frontend is the app, told the API's URL.
// A backend that ignores PORT (a port written in its code) is not found on it: the service's readiness
// check says so, and "services" in .myfav-coworker.json describes it instead.

import path from 'node:path';
import type { ServiceConfig } from '../../config/schema.js';
import { nodeProgramIn } from '../detect.js';
import type { PlanNote } from '../types.js';
import { apiAndFrontend, backendBesideFrontend, toldApiUrl } from './backendBeside.js';

export interface NodeBackendServices {
  services: Record<string, ServiceConfig>;
  note: PlanNote;
}

export function nodeBackendServices(worktree: string): NodeBackendServices | undefined {
  const beside = backendBesideFrontend(worktree, (dir) => nodeProgramIn(worktree, dir));
  if (!beside) return undefined;
  const { backend, found: program, frontend } = beside;
  const api: ServiceConfig = {
    cwd: backend,
    ...(program.install ? { install: program.install } : {}),
    start: program.start,
    ready: { port: true },
  };
  const installed = program.install ? `installed with "${program.install}", ` : '';
  return {
    services: apiAndFrontend(api, frontend),
    note: {
      severity: 'info',
      title: 'A Node backend was found and started beside the frontend',
      detail:
        `The API in ${backend}/ (${path.posix.join(backend, 'package.json')}), ${installed}started with ` +
        `"${program.start}" and PORT set to its port, beside the frontend in ${frontend}/ (${toldApiUrl}). ` +
        'Describe it in "services" of .myfav-coworker.json to change anything (a backend that ignores PORT ' +
        'needs that).',
    },
  };
}
