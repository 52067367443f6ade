// `trust` / `untrust`: the user's own list of repositories and owners whose pull requests run without
// asking (src/trust/policy.ts). Only ever changed here, by the user at a terminal — never by a tool call.

import type { Command } from 'commander';
import { resolveHost } from '../../auth/settings.js';
import { userConfigPath } from '../../config/userConfig.js';
import type { Deps } from '../../deps.js';
import { CoworkerError } from '../../errors.js';
import {
  addTrusted,
  loadTrustLists,
  parseTrustEntry,
  removeTrusted,
  type TrustEntry,
} from '../../trust/lists.js';
import { colorEnabled, styler, writeJson } from '../output.js';

interface TrustFlags {
  owner?: string;
  list?: boolean;
  json?: boolean;
}

export function registerTrust(program: Command, deps: () => Deps): void {
  program
    .command('trust')
    .description(
      "Run a repository's pull requests without asking (its code runs on this machine with your user's rights)",
    )
    .argument('[repository]', 'OWNER/REPO, or HOST/OWNER/REPO for GitHub Enterprise')
    .option('--owner <owner>', 'trust every repository of an owner (OWNER or HOST/OWNER)')
    .option('--list', 'show the trusted repositories and owners')
    .option('--json', 'with --list: print them as JSON')
    .action(async (repository: string | undefined, flags: TrustFlags) => {
      const d = deps();
      if (flags.list) return listTrusted(d, flags.json === true);
      const entry = await entryFrom(repository, flags, d, 'trust');
      const added = await addTrusted(d.paths.config, entry);
      const style = styler(colorEnabled(process.stderr));
      const what = entry.kind === 'repo' ? entry.name : `every repository of ${entry.name}`;
      process.stderr.write(
        added
          ? `${style('green', '✓')} Trusted ${what}: pull requests whose code comes from there now run without asking. Undo: \`myfav-coworker untrust ${entry.kind === 'owner' ? '--owner ' : ''}${entry.name}\`.\n`
          : `${what} was already trusted.\n`,
      );
    });
}

export function registerUntrust(program: Command, deps: () => Deps): void {
  program
    .command('untrust')
    .description("Ask again before running a repository's pull requests")
    .argument('[repository]', 'OWNER/REPO, or HOST/OWNER/REPO')
    .option('--owner <owner>', 'an owner trusted with `trust --owner`')
    .action(async (repository: string | undefined, flags: TrustFlags) => {
      const d = deps();
      const entry = await entryFrom(repository, flags, d, 'untrust');
      const removed = await removeTrusted(d.paths.config, entry);
      const style = styler(colorEnabled(process.stderr));
      if (removed) {
        process.stderr.write(
          `${style('green', '✓')} ${entry.name} is no longer trusted: its pull requests need your consent again.\n`,
        );
        return;
      }
      process.stderr.write(
        `${entry.name} was not on the trusted list (see \`myfav-coworker trust --list\`).\n`,
      );
    });
}

async function entryFrom(
  repository: string | undefined,
  flags: TrustFlags,
  d: Deps,
  command: 'trust' | 'untrust',
): Promise<TrustEntry> {
  if (Boolean(repository) === Boolean(flags.owner)) {
    throw new CoworkerError(
      'INVALID_INPUT',
      `${command} takes a repository (OWNER/REPO) or --owner OWNER${repository ? ', not both' : ''}.`,
      `e.g. \`myfav-coworker ${command} acme/web\` or \`myfav-coworker ${command} --owner acme\`; \`myfav-coworker trust --list\` shows the list.`,
    );
  }
  // Without a host the entry is for the default host (GH_HOST, the config's githubHost, else github.com).
  const host = await resolveHost(undefined, process.env, d.paths);
  return repository
    ? parseTrustEntry(repository, 'repo', host)
    : parseTrustEntry(flags.owner ?? '', 'owner', host);
}

async function listTrusted(d: Deps, json: boolean): Promise<void> {
  const lists = await loadTrustLists(d.paths.config);
  if (json) return writeJson({ repos: lists.repos, owners: lists.owners });
  if (lists.repos.length === 0 && lists.owners.length === 0) {
    process.stdout.write(
      `No trusted repositories or owners (${userConfigPath(d.paths.config)}). Pull requests run without asking only where you can push.\n`,
    );
    return;
  }
  const lines = [
    ...lists.repos.map((r) => `repository  ${r}`),
    ...lists.owners.map((o) => `owner       ${o}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
