// The user's own package-manager configuration (registries, auth for private registries), for the
// install only. The sandbox hides the user's home, so the files install needs are handed to it
// explicitly — mounted read-only into the job's HOME for the install, never for the app — and the hosts
// they name become the install's allowed egress. The repository's own .npmrc is read by the package
// manager as usual, but the hosts it names are not allowed unless the user allows them: the branch is
// not the one to decide where its install may connect.

import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type HostRule, hostRuleOfUrl } from './hosts.js';

type Env = Record<string, string | undefined>;

/** Registries the package managers use when nothing else is configured. */
export const defaultRegistryHosts: HostRule[] = [
  { host: 'registry.npmjs.org' },
  { host: 'registry.yarnpkg.com' },
  // Corepack and Yarn 2+ download Yarn itself from here.
  { host: 'repo.yarnpkg.com' },
];

export interface InstallConfig {
  hosts: HostRule[];
  /** Files to place (read-only) in the install's HOME, by path relative to HOME. */
  homeFiles: Array<{ rel: string; content: string }>;
  /** npm_config_* / YARN_* settings from our environment that only the install gets. */
  env: Record<string, string>;
}

const maxConfigBytes = 1024 * 1024;

export function userInstallConfig(parentEnv: Env = process.env): InstallConfig {
  const home = parentEnv.HOME || os.homedir();
  const xdgConfig = parentEnv.XDG_CONFIG_HOME || path.join(home, '.config');
  const hosts: HostRule[] = [...defaultRegistryHosts];
  const homeFiles: InstallConfig['homeFiles'] = [];
  const add = (url: string | undefined) => {
    const rule = url ? hostRuleOfUrl(url.trim()) : undefined;
    if (rule) hosts.push(rule);
  };

  const ini: Array<[file: string, rel: string]> = [
    [
      parentEnv.npm_config_userconfig || parentEnv.NPM_CONFIG_USERCONFIG || path.join(home, '.npmrc'),
      '.npmrc',
    ],
    [path.join(xdgConfig, 'pnpm', 'rc'), '.config/pnpm/rc'],
  ];
  for (const [file, rel] of ini) {
    const text = readSmall(file);
    if (text === undefined) continue;
    const content = expandEnv(text, parentEnv);
    homeFiles.push({ rel, content });
    for (const line of content.split(/\r?\n/)) {
      const m = /^\s*([^=;#\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
      if (!m) continue;
      const [, key = '', value = ''] = m;
      if (/^(@[^:]+:)?registry$/i.test(key)) add(unquote(value));
      // "//npm.example.com/:_authToken=…": auth for a registry is a registry in use.
      const auth = /^\/\/([^/]+)\//.exec(key);
      if (auth) add(`https://${auth[1]}/`);
    }
  }
  // Yarn 1
  const yarnrc = readSmall(path.join(home, '.yarnrc'));
  if (yarnrc !== undefined) {
    homeFiles.push({ rel: '.yarnrc', content: yarnrc });
    for (const m of yarnrc.matchAll(/^\s*"?registry"?\s+"?([^"\s]+)"?/gm)) add(m[1]);
  }
  // Yarn 2+
  const berry = readSmall(path.join(home, '.yarnrc.yml'));
  if (berry !== undefined) {
    const content = expandEnv(berry, parentEnv);
    homeFiles.push({ rel: '.yarnrc.yml', content });
    for (const m of content.matchAll(/npmRegistryServer:\s*["']?([^"'\s]+)/g)) add(m[1]);
  }

  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parentEnv)) {
    if (value === undefined) continue;
    if (/^npm_config_/i.test(name) && !ownedNpmSettings.test(name.slice('npm_config_'.length))) {
      env[name] = value;
      if (/registry$/i.test(name)) add(value);
    }
    if (/^(YARN_NPM_REGISTRY_SERVER|COREPACK_NPM_REGISTRY)$/.test(name)) {
      env[name] = value;
      add(value);
    }
    if (/^(YARN_NPM_AUTH_TOKEN|YARN_NPM_AUTH_IDENT|COREPACK_NPM_TOKEN)$/.test(name)) env[name] = value;
  }
  return { hosts, homeFiles, env };
}

// Settings the sandbox decides itself: caches, proxies, where config lives.
const ownedNpmSettings =
  /^(cache|store_dir|prefix|userconfig|globalconfig|proxy|https_proxy|noproxy|no_proxy)$/i;

/** npm's "${VAR}" (and "${VAR?}") substitution, done here because the sandbox does not get those variables. */
function expandEnv(text: string, env: Env): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(\?)?\}/g, (whole, name: string) => env[name] ?? whole);
}

function unquote(value: string): string {
  return value.replace(/^(["'])(.*)\1$/, '$2');
}

/** A regular file of at most 1 MB, else undefined (these are the user's files, but a FIFO must not hang us). */
function readSmall(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > maxConfigBytes) return undefined;
    const buf = Buffer.alloc(st.size);
    const n = readSync(fd, buf, 0, st.size, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
