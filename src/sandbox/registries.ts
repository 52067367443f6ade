// The user's own package-manager configuration (registries, auth for private registries), for the
// install only. The sandbox hides the user's home, so the files install needs are handed to it
// explicitly — mounted read-only into the job's HOME for the install, never for the app — and the hosts
// they name become the install's allowed egress. The repository's own .npmrc is read by the package
// manager as usual, but the hosts it names are not allowed unless the user allows them: the branch is
// not the one to decide where its install may connect. Proxy settings are taken out of those files:
// our egress proxy (outside) connects through the user's proxy with its credentials, and the branch's
// code never needs, and never sees, them.

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
  /**
   * The proxy the user's package-manager files name, as npm_config_https_proxy / npm_config_proxy /
   * npm_config_noproxy (what upstreamProxyFromEnv reads): used outside, removed from homeFiles.
   */
  proxySettings: Record<string, string>;
}

const maxConfigBytes = 1024 * 1024;

export function userInstallConfig(parentEnv: Env = process.env): InstallConfig {
  const home = parentEnv.HOME || os.homedir();
  const xdgConfig = parentEnv.XDG_CONFIG_HOME || path.join(home, '.config');
  const hosts: HostRule[] = [...defaultRegistryHosts];
  const homeFiles: InstallConfig['homeFiles'] = [];
  const proxySettings: Record<string, string> = {};
  const proxyFound = (kind: 'https_proxy' | 'proxy' | 'noproxy', value: string) => {
    const name = `npm_config_${kind}`;
    if (value && proxySettings[name] === undefined) proxySettings[name] = value;
  };
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
    const kept: string[] = [];
    for (const line of expandEnv(text, parentEnv).split(/\r?\n/)) {
      const m = /^\s*([^=;#\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
      const [, key = '', value = ''] = m ?? [];
      const proxyKind = proxySettingOf(key);
      if (proxyKind) {
        proxyFound(proxyKind, unquote(value));
        continue;
      }
      kept.push(line);
      if (!m) continue;
      if (/^(@[^:]+:)?registry$/i.test(key)) add(unquote(value));
      // "//npm.example.com/:_authToken=…": auth for a registry is a registry in use.
      const auth = /^\/\/([^/]+)\//.exec(key);
      if (auth) add(`https://${auth[1]}/`);
    }
    homeFiles.push({ rel, content: kept.join('\n') });
  }
  // Yarn 1
  const yarnrc = readSmall(path.join(home, '.yarnrc'));
  if (yarnrc !== undefined) {
    const kept = yarnrc.split(/\r?\n/).filter((line) => {
      const m = /^\s*"?([a-z_-]+)"?\s+"?([^"\s]*)"?/i.exec(line);
      const proxyKind = proxySettingOf(m?.[1] ?? '');
      if (proxyKind) proxyFound(proxyKind, m?.[2] ?? '');
      return !proxyKind;
    });
    const content = kept.join('\n');
    homeFiles.push({ rel: '.yarnrc', content });
    for (const m of content.matchAll(/^\s*"?registry"?\s+"?([^"\s]+)"?/gm)) add(m[1]);
  }
  // Yarn 2+
  const berry = readSmall(path.join(home, '.yarnrc.yml'));
  if (berry !== undefined) {
    // httpProxy / httpsProxy, top-level or per host under networkSettings.
    const content = expandEnv(berry, parentEnv)
      .split(/\r?\n/)
      .filter((line) => {
        const m = /^(\s*)(httpsProxy|httpProxy)\s*:\s*["']?([^"'\s]*)/.exec(line);
        if (m && m[1] === '') proxyFound(m[2] === 'httpsProxy' ? 'https_proxy' : 'proxy', m[3] ?? '');
        return !m;
      })
      .join('\n');
    homeFiles.push({ rel: '.yarnrc.yml', content });
    for (const m of content.matchAll(/npmRegistryServer:\s*["']?([^"'\s]+)/g)) add(m[1]);
  }

  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parentEnv)) {
    if (value === undefined) continue;
    // npm reads npm_config_https-proxy as npm_config_https_proxy.
    const npmSetting = name.slice('npm_config_'.length).replaceAll('-', '_');
    if (/^npm_config_/i.test(name) && !ownedNpmSettings.test(npmSetting)) {
      env[name] = value;
      if (/registry$/i.test(name)) add(value);
    }
    if (/^(YARN_NPM_REGISTRY_SERVER|COREPACK_NPM_REGISTRY)$/.test(name)) {
      env[name] = value;
      add(value);
    }
    if (/^(YARN_NPM_AUTH_TOKEN|YARN_NPM_AUTH_IDENT|COREPACK_NPM_TOKEN)$/.test(name)) env[name] = value;
  }
  return { hosts, homeFiles, env, proxySettings };
}

/** Whether a config key (npm, pnpm, Yarn 1) sets a proxy: "https-proxy", "https_proxy", "proxy", "noproxy"… */
function proxySettingOf(key: string): 'https_proxy' | 'proxy' | 'noproxy' | undefined {
  const k = key.trim().toLowerCase().replaceAll('_', '-');
  if (k === 'https-proxy') return 'https_proxy';
  if (k === 'proxy' || k === 'http-proxy') return 'proxy';
  if (k === 'noproxy' || k === 'no-proxy') return 'noproxy';
  return undefined;
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
