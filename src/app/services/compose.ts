// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} in strings are the config's placeholders, not JS
// A docker-compose.yml read as a description of a full-stack app and run without Docker: each compose
// service becomes one of our `services`. Database images map to the local server binaries
// (mariadb/mysql → mariadbd, postgres → postgres, redis → redis-server), with their data dir in the job's
// temp dir and the image's init scripts (/docker-entrypoint-initdb.d) as the seed; a `build:` service
// runs its `command` (or its Dockerfile's CMD) in the build context. Hosts and ports that name other
// services (`db:3306`, `http://api:8000`) become `127.0.0.1` and the port chosen for that service in
// this job. Anything else — another image, a missing server binary — is a clear error naming it.

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseDotenv } from '../../config/dotenvFile.js';
import type { ServiceConfig } from '../../config/schema.js';
import { CoworkerError } from '../../errors.js';
import { isInside } from '../../paths.js';
import { readRepoFile } from '../../repoFile.js';
import { isFile } from '../fileKinds.js';
import type { PlanNote } from '../types.js';
import { findProgram, pythonWith } from './programs.js';

export const composeFileNames = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | Array<string | { path?: string; required?: boolean }>;
  ports?: Array<string | number | { target?: number }>;
  expose?: Array<string | number>;
  depends_on?: string[] | Record<string, unknown>;
  volumes?: Array<string | { source?: string; target?: string }>;
  profiles?: string[];
}

export interface ComposeServices {
  /** The compose file, relative to the repository root. */
  file: string;
  services: Record<string, ServiceConfig>;
  /** How each service was mapped, for the report. */
  note: PlanNote;
}

type Kind = 'mysql' | 'postgres' | 'redis';
const imageKinds: Array<[RegExp, Kind]> = [
  [/^(?:[^/]+\/)*(?:mariadb|mysql)(?:[:@]|$)/, 'mysql'],
  [/^(?:[^/]+\/)*postgres(?:[:@]|$)/, 'postgres'],
  [/^(?:[^/]+\/)*redis(?:[:@]|$)/, 'redis'],
];
const defaultPorts: Record<Kind, number> = { mysql: 3306, postgres: 5432, redis: 6379 };
const appNames = ['web', 'frontend', 'client', 'ui', 'app', 'www'];
const maxComposeBytes = 256 * 1024;

/** The repository's compose file mapped to services, or undefined when it has none. */
export function composeServices(worktree: string): ComposeServices | undefined {
  const name = composeFileNames.find((n) => isFile(path.join(worktree, n)));
  if (!name) return undefined;
  const file = path.join(worktree, name);
  const invalid = (message: string, hint: string) =>
    new CoworkerError('INVALID_CONFIG', `${name}: ${message}`, hint);
  const describeHint =
    'Describe the app in "services" of .myfav-coworker.json instead (see "Full-stack apps" in the README); a config there wins over the compose file.';
  // The branch's file: a regular file inside the checkout (never a link to /etc/…), bounded.
  const text = readRepoFile(worktree, file);
  if (text === undefined) return undefined;
  if (Buffer.byteLength(text) > maxComposeBytes)
    throw invalid('the file is too large to be a compose file.', describeHint);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw invalid(`not valid YAML (${(err as Error).message.split('\n')[0]}).`, describeHint);
  }
  const raw = (doc as { services?: Record<string, ComposeService> } | null)?.services;
  if (!raw || typeof raw !== 'object') throw invalid('it has no "services".', describeHint);

  const entries = Object.entries(raw).filter(([, s]) => s && typeof s === 'object' && !s.profiles?.length);
  const kinds = new Map<string, Kind | 'build'>();
  const containerPorts = new Map<string, number | undefined>();
  for (const [svc, s] of entries) {
    if (!/^[a-z0-9][a-z0-9_-]{0,39}$/i.test(svc))
      throw invalid(`the service name "${svc}" is not one we can use.`, describeHint);
    const kind = s.image ? imageKinds.find(([re]) => re.test(s.image!))?.[1] : undefined;
    if (kind) kinds.set(svc, kind);
    else if (s.build) kinds.set(svc, 'build');
    else
      throw invalid(
        `the service "${svc}" runs the image "${s.image ?? '(none)'}", which cannot run without Docker: only postgres, mysql, mariadb and redis images map to local servers, and "build:" services to their command.`,
        describeHint,
      );
    containerPorts.set(svc, portOf(s) ?? (kind ? defaultPorts[kind] : undefined));
  }

  const dependsOn = (s: ComposeService) =>
    (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {})).filter((d) =>
      kinds.has(d),
    );
  const dependedOn = new Set(entries.flatMap(([, s]) => dependsOn(s)));
  const candidates = entries.filter(([svc]) => kinds.get(svc) === 'build' && !dependedOn.has(svc));
  const app =
    candidates.find(([svc]) => appNames.includes(svc.toLowerCase()))?.[0] ??
    candidates.find(([, s]) => portOf(s) !== undefined)?.[0] ??
    candidates[0]?.[0];
  if (!app)
    throw invalid(
      'no service looks like the app the browser opens (a "build:" service that no other depends on).',
      describeHint,
    );

  const services: Record<string, ServiceConfig> = {};
  const mapped: string[] = [];
  for (const [svc, s] of entries) {
    const kind = kinds.get(svc)!;
    const rewrite = (text: string) => rewriteHosts(text, svc, containerPorts);
    const env = environmentOf(s, envFilesOf(worktree, name, svc, s), svc, containerPorts);
    const deps = dependsOn(s);
    const common = {
      ...(deps.length ? { dependsOn: deps } : {}),
      ...(svc === app ? { app: true as const } : {}),
    };
    if (kind === 'build') {
      const context = buildContext(s);
      const cwd = path.posix.normalize(context);
      const command = commandOf(s) ?? dockerfileCommand(worktree, s, cwd);
      if (!command)
        throw invalid(
          `the service "${svc}" has neither a "command" nor a CMD in its Dockerfile: there is nothing to run.`,
          describeHint,
        );
      const start = localCommand(rewrite(command), containerPorts.get(svc));
      services[svc] = { cwd: cwd === '.' ? '.' : cwd, start, env, ...common };
      mapped.push(`${svc}: build ${context} → "${start}"`);
      continue;
    }
    services[svc] = { ...databaseService(worktree, kind, svc, s, env, name), ...common };
    mapped.push(
      `${svc}: image ${s.image} → the local ${kind === 'mysql' ? 'MariaDB/MySQL' : kind === 'postgres' ? 'PostgreSQL' : 'Redis'} server`,
    );
  }
  return {
    file: name,
    services,
    note: {
      severity: 'info',
      title: `${name} run without Docker: ${entries.length} services mapped to local programs (the browser opens "${app}")`,
      detail: mapped.join('; '),
    },
  };
}

function databaseService(
  worktree: string,
  kind: Kind,
  svc: string,
  s: ComposeService,
  env: Record<string, string>,
  composeFile: string,
): ServiceConfig {
  const missing = (what: string, install: string) =>
    new CoworkerError(
      'SERVICE_FAILED',
      `${composeFile}: the service "${svc}" uses the image ${s.image}; without Docker it runs as a local ${what}, which is not installed here.`,
      `Install it (${install}), or describe the service in "services" of .myfav-coworker.json.`,
    );
  const initScripts = initScriptsOf(worktree, s);
  if (kind === 'mysql') {
    const server = findProgram('mariadbd') ?? findProgram('mysqld');
    const init = findProgram('mariadb-install-db') ?? findProgram('mysql_install_db');
    const client = findProgram('mariadb') ?? findProgram('mysql');
    if (!server || !init || !client)
      throw missing(
        'MariaDB/MySQL server (mariadbd, mariadb-install-db, mariadb)',
        'Debian/Ubuntu: sudo apt-get install mariadb-server',
      );
    const value = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
    const database = value('MARIADB_DATABASE', 'MYSQL_DATABASE');
    const user = value('MARIADB_USER', 'MYSQL_USER');
    const password = value('MARIADB_PASSWORD', 'MYSQL_PASSWORD') ?? '';
    const rootPassword = value('MARIADB_ROOT_PASSWORD', 'MYSQL_ROOT_PASSWORD');
    // What the image's entrypoint does on first start: the database, the user, the init scripts
    // (with the database selected), and the root password last.
    const sql: string[] = [];
    if (database) sql.push(`CREATE DATABASE IF NOT EXISTS \`${database}\`;`);
    if (user) {
      sql.push(
        `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}';`,
        `CREATE USER '${user}'@'localhost' IDENTIFIED BY '${password}';`,
      );
      if (database)
        sql.push(
          `GRANT ALL ON \`${database}\`.* TO '${user}'@'%';`,
          `GRANT ALL ON \`${database}\`.* TO '${user}'@'localhost';`,
        );
    }
    const client_ = `${shellQuote(client)} --no-defaults --protocol=tcp -h127.0.0.1 -P\${port} -uroot`;
    const steps = [
      ...(sql.length ? [`printf '%s\\n' ${sql.map(shellQuote).join(' ')} | ${client_}`] : []),
      ...initScripts
        .filter((f) => f.endsWith('.sql'))
        .map((f) => `${client_}${database ? ` ${shellQuote(database)}` : ''} < ${shellQuote(f)}`),
      ...(rootPassword
        ? [
            `printf '%s\\n' ${shellQuote(`ALTER USER 'root'@'localhost' IDENTIFIED BY '${rootPassword}';`)} | ${client_}`,
          ]
        : []),
    ];
    return {
      start:
        `${shellQuote(init)} --no-defaults --datadir=\${dataDir} --auth-root-authentication-method=normal --skip-test-db${rootUser()} && ` +
        `exec ${shellQuote(server)} --no-defaults --datadir=\${dataDir} --port=\${port} --bind-address=127.0.0.1 --socket=\${dataDir}/mysqld.sock${rootUser()} --skip-log-bin --innodb-buffer-pool-size=16M`,
      ready: { port: true },
      ...(steps.length ? { seed: steps.join(' && ') } : {}),
    };
  }
  if (kind === 'postgres') {
    const server = findProgram('postgres');
    const initdb = findProgram('initdb');
    const psql = findProgram('psql');
    if (!server || !initdb || !psql)
      throw missing(
        'PostgreSQL server (postgres, initdb, psql)',
        'Debian/Ubuntu: sudo apt-get install postgresql',
      );
    const user = env.POSTGRES_USER || 'postgres';
    const database = env.POSTGRES_DB || user;
    const psql_ = `${shellQuote(psql)} -v ON_ERROR_STOP=1 -h 127.0.0.1 -p \${port} -U ${shellQuote(user)}`;
    const steps = [
      ...(database !== 'postgres'
        ? [`${psql_} -d postgres -c ${shellQuote(`CREATE DATABASE "${database}"`)}`]
        : []),
      ...initScripts
        .filter((f) => f.endsWith('.sql'))
        .map((f) => `${psql_} -d ${shellQuote(database)} -f ${shellQuote(f)}`),
    ];
    return {
      start:
        `${shellQuote(initdb)} -D \${dataDir} -U ${shellQuote(user)} --auth=trust >/dev/null && ` +
        `exec ${shellQuote(server)} -D \${dataDir} -p \${port} -k \${dataDir} -c listen_addresses=127.0.0.1`,
      ready: { port: true },
      // PostgreSQL refuses to run as root: as root, we run it as "nobody" in its sandbox.
      nonRoot: true,
      ...(steps.length ? { seed: steps.join(' && ') } : {}),
    };
  }
  const server = findProgram('redis-server');
  if (!server)
    throw missing('Redis server (redis-server)', 'Debian/Ubuntu: sudo apt-get install redis-server');
  return {
    start: `exec ${shellQuote(server)} --port \${port} --bind 127.0.0.1 --save '' --appendonly no --dir \${dataDir}`,
    ready: { port: true },
  };
}

/** mariadbd refuses to run as root unless told to; as anyone else the flag only warns. */
const rootUser = () => (process.getuid?.() === 0 ? ' --user=root' : '');

/** The port the container listens on: the target of its first `ports` entry (or `expose`). */
function portOf(s: ComposeService): number | undefined {
  for (const entry of [...(s.ports ?? []), ...(s.expose ?? [])]) {
    const target =
      typeof entry === 'object'
        ? entry.target
        : Number(
            String(entry)
              .replace(/\/\w+$/, '')
              .split(':')
              .at(-1),
          );
    if (target && Number.isInteger(target)) return target;
  }
  return undefined;
}

/** `db:3306` → `127.0.0.1:${services.db.port}`, `http://api` → `http://127.0.0.1`; the service's own port stays. */
function rewriteHosts(text: string, own: string, ports: Map<string, number | undefined>): string {
  let out = text;
  for (const [svc, port] of ports) {
    if (svc === own) continue;
    const name = svc.replace(/[-]/g, '\\-');
    if (port !== undefined)
      out = out.replace(
        new RegExp(`(?<![\\w.-])${name}:${port}(?!\\d)`, 'g'),
        `127.0.0.1:\${services.${svc}.port}`,
      );
    out = out.replace(new RegExp(`(?<=[/@])${name}(?=[/:?]|$)`, 'g'), '127.0.0.1');
  }
  return out;
}

/**
 * The variables of a service's `env_file`s, in order (a later file wins). A file the branch does not
 * have — a `.env` is usually not committed — is read from its committed template (`.env.example`,
 * `.env.sample`) instead; without one, a required file is an error, as it is for Compose.
 */
function envFilesOf(
  worktree: string,
  composeFile: string,
  svc: string,
  s: ComposeService,
): Array<[string, string]> {
  const entries = s.env_file === undefined ? [] : Array.isArray(s.env_file) ? s.env_file : [s.env_file];
  const pairs: Array<[string, string]> = [];
  for (const entry of entries) {
    const rel = typeof entry === 'string' ? entry : entry.path;
    const required = typeof entry === 'string' || entry.required !== false;
    if (!rel) continue;
    const file = path.join(worktree, rel);
    if (!isInside(worktree, file))
      throw new CoworkerError(
        'INVALID_CONFIG',
        `${composeFile}: the env_file "${rel}" of the service "${svc}" is outside the repository.`,
        'Name an env_file inside the repository, or describe the service in "services" of .myfav-coworker.json.',
      );
    const found = [file, `${file}.example`, `${file}.sample`]
      .map((candidate) => [candidate, readRepoFile(worktree, candidate)] as const)
      .find(([, text]) => text !== undefined);
    if (!found) {
      if (!required) continue;
      throw new CoworkerError(
        'INVALID_CONFIG',
        `${composeFile}: the service "${svc}" reads its variables from ${rel}, which the branch does not have (nor ${rel}.example).`,
        `Commit a template of it (${rel}.example, without secrets), mark it "required: false", or pass the values with --env-file.`,
      );
    }
    const [used, text] = found;
    pairs.push(...Object.entries(parseDotenv(text!, path.relative(worktree, used))));
  }
  return pairs;
}

function environmentOf(
  s: ComposeService,
  fromFiles: Array<[string, string]>,
  own: string,
  ports: Map<string, number | undefined>,
): Record<string, string> {
  const ownPort = ports.get(own);
  // `environment` wins over `env_file`, as in Compose.
  const pairs: Array<[string, string]> = fromFiles.concat(
    Array.isArray(s.environment)
      ? s.environment.flatMap((e) => {
          const at = e.indexOf('=');
          return at > 0 ? [[e.slice(0, at), e.slice(at + 1)] as [string, string]] : [];
        })
      : Object.entries(s.environment ?? {}).flatMap(([k, v]) =>
          v === null || v === undefined ? [] : [[k, String(v)] as [string, string]],
        ),
  );
  const env: Record<string, string> = {};
  for (const [key, value] of pairs) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || key === 'PORT') continue; // PORT is the one we choose
    // A bare host (DB_HOST=db) or a bare port of one other service (DB_PORT=3306) is that service's.
    const byPort = [...ports].filter(
      ([svc, port]) => svc !== own && port !== undefined && String(port) === value,
    );
    if (ownPort !== undefined && value === String(ownPort)) env[key] = '${port}';
    else if (ports.has(value) && value !== own) env[key] = '127.0.0.1';
    else if (byPort.length === 1) env[key] = `\${services.${byPort[0]![0]}.port}`;
    else env[key] = rewriteHosts(value, own, ports);
  }
  return env;
}

/** Host folders mounted into /docker-entrypoint-initdb.d (or single files there), their scripts sorted. */
function initScriptsOf(worktree: string, s: ComposeService): string[] {
  const files: string[] = [];
  for (const volume of s.volumes ?? []) {
    const [source, target] = typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target];
    if (!source || !target?.startsWith('/docker-entrypoint-initdb.d') || !/^\.{0,2}\//.test(source)) continue;
    const rel = path.posix.normalize(source);
    if (target === '/docker-entrypoint-initdb.d' || target === '/docker-entrypoint-initdb.d/')
      files.push(`${rel}/*`);
    else files.push(rel);
  }
  return files
    .flatMap((f) => (f.endsWith('/*') ? listDir(worktree, f.slice(0, -2)) : [f]))
    .sort((a, b) => path.posix.basename(a).localeCompare(path.posix.basename(b)));
}

function listDir(worktree: string, rel: string): string[] {
  try {
    return readdirSync(path.join(worktree, rel))
      .filter((n) => n.endsWith('.sql'))
      .map((n) => path.posix.join(rel, n));
  } catch {
    return [];
  }
}

function buildContext(s: ComposeService): string {
  return (typeof s.build === 'string' ? s.build : s.build?.context) ?? '.';
}

function commandOf(s: ComposeService): string | undefined {
  const join = (c: string | string[] | undefined) =>
    c === undefined ? undefined : Array.isArray(c) ? c.map(shellQuote).join(' ') : c;
  const entry = join(s.entrypoint);
  const cmd = join(s.command);
  if (entry && cmd) return `${entry} ${cmd}`;
  return entry ?? cmd;
}

/** The CMD (after an ENTRYPOINT) of the build context's Dockerfile: JSON form or shell form. */
function dockerfileCommand(worktree: string, s: ComposeService, cwd: string): string | undefined {
  const name = (typeof s.build === 'object' && s.build.dockerfile) || 'Dockerfile';
  const text = readRepoFile(worktree, path.join(worktree, cwd, name));
  if (text === undefined) return undefined;
  const last = (instruction: string) =>
    [...text.matchAll(new RegExp(`^\\s*${instruction}\\s+(.+)$`, 'gim'))].at(-1)?.[1]?.trim();
  const form = (value: string | undefined) => {
    if (!value) return undefined;
    try {
      const parsed = JSON.parse(value) as unknown;
      if (Array.isArray(parsed)) return parsed.map((p) => shellQuote(String(p))).join(' ');
    } catch {
      // shell form
    }
    return value;
  };
  const entry = form(last('ENTRYPOINT'));
  const cmd = form(last('CMD'));
  return entry && cmd ? `${entry} ${cmd}` : (entry ?? cmd);
}

/**
 * The container's command as a local one: its own port becomes ours, 0.0.0.0 becomes 127.0.0.1 (no
 * service should listen on every interface of the user's machine), and `uvicorn` without its binary
 * (Debian's package has none) runs as `python3 -m uvicorn`, with a python3 that has the module.
 */
function localCommand(command: string, ownPort: number | undefined): string {
  let out = command.replace(/(?<![\d.])0\.0\.0\.0(?![\d.])/g, '127.0.0.1');
  if (ownPort !== undefined) out = out.replace(new RegExp(`(?<![\\w.:/-])${ownPort}(?!\\d)`, 'g'), '${port}');
  if (/^uvicorn\s/.test(out) && !findProgram('uvicorn')) out = `python3 -m ${out}`;
  // `python3 -m uvicorn …`: the python that has the module (a pyenv shim first on PATH may not).
  const module = /^python3?\s+-m\s+([\w.]+)/.exec(out)?.[1];
  const python = module ? pythonWith(module) : undefined;
  if (python) out = out.replace(/^python3?/, python);
  return out;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}
