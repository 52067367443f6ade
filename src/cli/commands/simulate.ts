import { appendFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DEFAULT_BUDGETS, DEFAULT_MODEL } from '../../agent/settings.js';
import {
  type ActionsEnv,
  actionsEnv,
  annotationCommand,
  annotationsFor,
  groupEnd,
  groupStart,
  pullRequestFromEvent,
  runUrl,
} from '../../ci/githubActions.js';
import type { SettingOverrides } from '../../config/schema.js';
import type { Deps } from '../../deps.js';
import { CoworkerError } from '../../errors.js';
import { exitCodeFor, exitProcess, type Outcome } from '../../exit.js';
import { parseTarget } from '../../github/targetParse.js';
import type { ProgressEvent } from '../../jobs/progress.js';
import type { SimulationRequest } from '../../jobs/request.js';
import { printable } from '../../printable.js';
import { simulationView } from '../../report/machine.js';
import type { Report } from '../../report/model.js';
import { renderPrComment } from '../../report/prComment.js';
import { renderTerminalSummary } from '../../report/terminal.js';
import { productVersion } from '../../version.js';
import { colorEnabled, formatElapsed, styler, writeJson } from '../output.js';

interface SimulateFlags {
  head?: string;
  base?: string;
  appDir?: string;
  install?: string | boolean;
  start?: string;
  url?: string;
  readyTimeout?: number;
  route?: string[];
  maxPages?: number;
  instructions?: string;
  agent: boolean;
  model?: string;
  maxSteps?: number;
  tokenBudget?: number;
  timeBudget?: number;
  trust?: boolean;
  compareBase?: boolean;
  refreshBase?: boolean;
  sandbox: boolean;
  json?: boolean;
  config?: string;
  env?: string[];
  envFile?: string;
  installTimeout?: number;
  allowOrigin?: string[];
  comment?: boolean;
  status?: boolean;
}

export function registerSimulate(
  program: Command,
  deps: () => Deps,
  settle: (outcome: Outcome) => void,
): void {
  program
    .command('simulate')
    .description(
      'Check out a pull request or branch, start the app, try it in a real browser and report what broke',
    )
    .argument(
      '[target]',
      'a pull request (https://github.com/OWNER/REPO/pull/N, OWNER/REPO#N, HOST/OWNER/REPO#N) or the path of a local git repository; in GitHub Actions, default: the pull request of the event',
    )
    .option('--head <ref>', 'branch, tag or commit to test (default: the checked-out branch)')
    .option('--base <ref>', 'what the change is compared with (default: main, then master, then origin/HEAD)')
    .option('--app-dir <dir>', 'folder of the app inside the repository (monorepos)')
    .option('--install <command>', 'install command (default: from the lockfile, e.g. npm ci)')
    .option('--no-install', 'skip installing dependencies')
    .option('--start <command>', 'command that starts the app; it gets PORT and HOST')
    .option('--url <url-or-path>', 'entry URL, or a path on the app (e.g. /dashboard)')
    .option(
      '--ready-timeout <seconds>',
      'how long to wait for the app to answer (default 60)',
      numberFlag('--ready-timeout', 90),
    )
    .option('--route <path>', 'a page to visit besides the entry URL (repeatable)', collect)
    .option(
      '--max-pages <n>',
      'bound on pages the smoke crawl visits (default 10)',
      numberFlag('--max-pages', 20, { whole: true }),
    )
    .option(
      '--config <file>',
      'a .myfav-coworker.json kept outside the repository (wins over the one in the branch)',
    )
    .option('--env <KEY=VALUE>', "a variable for the app's environment (repeatable)", collect)
    .option(
      '--env-file <path>',
      "variables for the app's environment from a NAME=value file; values are masked everywhere",
    )
    .option(
      '--install-timeout <seconds>',
      'how long installing may take (default 600)',
      numberFlag('--install-timeout', 900),
    )
    .option(
      '--allow-origin <origin>',
      'another origin the browser may reach, e.g. an API server (repeatable)',
      collect,
    )
    .option('--instructions <text>', 'what to focus on (used by the AI exploration)')
    .option('--no-agent', 'skip the AI exploration')
    .option(
      '--no-compare-base',
      'do not run the base commit to compare with (every finding then counts against the change)',
    )
    .option('--refresh-base', 'run the base commit again even when a cached run of it exists')
    .option(
      '--trust',
      "run this pull request's code without asking, although you cannot push to its repository or it comes from a fork (it runs on this machine with your user's rights)",
    )
    .option(
      '--model <id>',
      `Claude model for the AI exploration (default: MYFAV_MODEL, the config file, ${DEFAULT_MODEL})`,
    )
    .option(
      '--max-steps <n>',
      `AI exploration: most model turns (default ${DEFAULT_BUDGETS.maxSteps})`,
      numberFlag('--max-steps', 40, { whole: true }),
    )
    .option(
      '--token-budget <n>',
      `AI exploration: most tokens in all (default ${DEFAULT_BUDGETS.maxTokens})`,
      numberFlag('--token-budget', 300000, { whole: true }),
    )
    .option(
      '--time-budget <seconds>',
      `AI exploration: most seconds (default ${DEFAULT_BUDGETS.maxSeconds})`,
      numberFlag('--time-budget', 600),
    )
    .option(
      '--no-sandbox',
      "run the branch's install and app without the OS sandbox (only for code you trust; the report says so)",
    )
    .option(
      '--comment',
      'post the verdict on the pull request as one comment, updated on later runs (needs a token that may write)',
    )
    .option('--status', 'set a commit status (context myfav-coworker) on the head commit of the pull request')
    .option('--json', "print the result as one JSON object on stdout (the fields of MCP's get_simulation)")
    .action(async (target: string | undefined, flags: SimulateFlags) => {
      settle(await simulate(target, flags, deps()));
    });
}

async function simulate(given: string | undefined, flags: SimulateFlags, deps: Deps): Promise<Outcome> {
  const color = colorEnabled(process.stderr);
  const style = styler(color);
  const actions = actionsEnv();
  // In GitHub Actions, `simulate` alone takes the pull request of the event.
  const targetInput = given ?? (actions ? await pullRequestFromEvent(actions) : '');
  const reportUrl = actions ? runUrl(actions) : null;
  const request: SimulationRequest = {
    input: targetInput,
    target: parseTarget(targetInput, {
      ...(flags.head ? { head: flags.head } : {}),
      ...(flags.base ? { base: flags.base } : {}),
    }),
    settings: await overridesFrom(flags),
    agent: {
      enabled: flags.agent,
      ...(flags.model ? { model: flags.model } : {}),
      ...(flags.maxSteps !== undefined ? { maxSteps: flags.maxSteps } : {}),
      ...(flags.tokenBudget !== undefined ? { maxTokens: flags.tokenBudget } : {}),
      ...(flags.timeBudget !== undefined ? { maxSeconds: flags.timeBudget } : {}),
    },
    ...(flags.refreshBase ? { refreshBase: true } : {}),
    ...(flags.comment || flags.status
      ? {
          publish: {
            ...(flags.comment ? { comment: true } : {}),
            ...(flags.status ? { status: true } : {}),
            ...(reportUrl ? { reportUrl } : {}),
          },
        }
      : {}),
  };
  if (request.publish && request.target.kind !== 'github') {
    throw new CoworkerError(
      'INVALID_INPUT',
      `${flags.comment ? '--comment' : '--status'} writes to a pull request, but ${JSON.stringify(targetInput)} is a local repository.`,
      'Name the pull request instead, e.g. `myfav-coworker simulate OWNER/REPO#N --comment`.',
    );
  }
  const badRoute = flags.route?.find((r) => !/^[/#]/.test(r));
  if (badRoute !== undefined) {
    throw new CoworkerError(
      'INVALID_INPUT',
      `--route "${badRoute}" is not a path: it must start with "/" (or "#/" for a hash route).`,
      'e.g. --route /settings, or --route "#/settings" for a hash-routed app',
    );
  }

  // A typo'd path or branch is answered at once, without a job in the history.
  if (request.target.kind === 'local') await precheckLocalTarget(request.target, style);
  // A pull request's code runs only when the policy, --trust or your answer says so; else no job at all.
  if (request.target.kind === 'github') {
    const { terminalConsent } = await import('../consent.js');
    const consent = await terminalConsent(request.target, { trustFlag: flags.trust === true, deps, style });
    if (consent) request.consent = consent;
  }

  // The job runs through the same JobService as an MCP server's (concurrency 1 here): the same dedupe
  // (an identical job already queued or running, here or in a server, is joined, not run twice), the
  // same atomic claim, cancel (Ctrl-C here, or cancel_simulation from a server) and crash recovery.
  // A damaged history is reported as such before anything starts (and jobs of dead processes are cleaned).
  await deps.history();
  const { JobService } = await import('../../jobs/service.js');
  const service = new JobService({
    paths: deps.paths,
    logger: deps.logger,
    store: () => deps.store(),
    jobDeps: () => ({ paths: deps.paths, logger: deps.logger, store: deps.store(), github: deps }),
    concurrency: 1,
    githubHead: async (target, signal) =>
      (await import('../../jobs/githubTarget.js')).resolveHeadSha(target, deps, signal ? { signal } : {}),
  });

  // In Actions each phase is a collapsible log group.
  let group: string | undefined;
  const onProgress = (e: ProgressEvent) => {
    if (actions && e.phase !== group) {
      process.stderr.write(`${group ? groupEnd : ''}${groupStart(`myfav-coworker: ${e.phase}`)}`);
      group = e.phase;
    }
    process.stderr.write(
      `${style('dim', `[${formatElapsed(e.elapsedMs).padStart(6)}]`)} ${style('cyan', e.phase.padEnd(8))} ${printable(e.message)}\n`,
    );
  };
  const { job, reused } = await service.submit(request, { onProgress });
  const id = job.id;

  let interrupts = 0;
  let cancelling: Promise<unknown> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: cancelling and cleaning up…\n`);
      cancelling = service.cancel(id, `Cancelled (${signal}).`).catch(() => {});
    } else {
      process.stderr.write(
        'Still cleaning up; press Ctrl-C again to stop waiting (processes may be left).\n',
      );
      if (interrupts > 2) exitProcess(exitCodeFor({ kind: 'signal', signal }));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  process.stderr.write(
    `${style('bold', 'myfav-coworker')} job ${id}: ${targetInput}${reused ? ' (the same simulation was already running: following it)' : ''}\n`,
  );

  try {
    const done = await service.waitFor(id, { timeoutMs: FOLLOW_MS, ...(reused ? { onProgress } : {}) });
    await cancelling;
    const finished = service.report(id);
    if (!finished) {
      // Its owner went away without a report (it is interrupted now), or it still runs after FOLLOW_MS.
      throw new CoworkerError(
        done.error?.code ?? 'INTERRUPTED',
        done.error?.message ?? `Job ${id} did not finish (${done.status}).`,
        done.error?.hint ?? `See \`myfav-coworker show ${id}\`.`,
      );
    }
    const report: Report = finished;
    if (group) process.stderr.write(groupEnd);
    if (actions) await reportToActions(actions, report);
    // The same fields MCP's get_simulation returns for this job (one mapping: report/machine.ts).
    if (flags.json) writeJson(simulationView(await service.get(id), report));
    else process.stdout.write(`${renderTerminalSummary(report, { color: colorEnabled(process.stdout) })}\n`);
    const publishFailed = describePublished(report, style, actions !== null);
    // The verdict stands either way; a run asked to write to the PR that could not still fails.
    return { kind: 'report', report, publishFailed };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}

/** How long a terminal follows its job: as long as it takes (the largest timer Node keeps, ~24 days). */
const FOLLOW_MS = 2 ** 31 - 1;

/** What was written to the PR, on stderr; true when a part of it failed. */
function describePublished(report: Report, style: ReturnType<typeof styler>, inActions: boolean): boolean {
  const p = report.published;
  if (!p) return false;
  let failed = false;
  const fail = (what: string, error: { message: string; hint: string }) => {
    failed = true;
    process.stderr.write(`${style('red', 'error:')} ${printable(error.message)}\n${printable(error.hint)}\n`);
    if (inActions)
      process.stderr.write(
        annotationCommand({ level: 'error', title: `myfav-coworker: ${what}`, message: error.message }),
      );
  };
  if (p.comment && 'error' in p.comment) fail('comment', p.comment.error);
  else if (p.comment) process.stderr.write(`Comment ${p.comment.action}: ${printable(p.comment.url)}\n`);
  if (p.status && 'error' in p.status) fail('commit status', p.status.error);
  else if (p.status)
    process.stderr.write(
      `Commit status ${p.status.state} (${p.status.context}) set on ${p.status.sha.slice(0, 8)}\n`,
    );
  return failed;
}

/** The runner's view of the result: annotations for the new findings, the verdict in the step summary. */
async function reportToActions(actions: ActionsEnv, report: Report): Promise<void> {
  for (const annotation of annotationsFor(report)) process.stderr.write(annotationCommand(annotation));
  if (!actions.stepSummary) return;
  const url = runUrl(actions);
  const summary = renderPrComment(report, { productVersion, ...(url ? { reportUrl: url } : {}) });
  await appendFile(actions.stepSummary, `${summary}\n`).catch((err: Error) =>
    process.stderr.write(`warning: could not write the step summary (${err.message})\n`),
  );
}

async function overridesFrom(flags: SimulateFlags): Promise<SettingOverrides> {
  const o: SettingOverrides = await setupOverrides(flags);
  if (flags.appDir !== undefined) o.appDir = flags.appDir;
  // commander: --install <cmd> gives a string, --no-install gives false, neither gives true (the default).
  if (typeof flags.install === 'string') o.install = flags.install;
  else if (flags.install === false) o.install = false;
  if (flags.start !== undefined) o.start = flags.start;
  if (flags.url !== undefined) o.url = flags.url;
  if (flags.readyTimeout !== undefined) o.readyTimeoutSeconds = flags.readyTimeout;
  if (flags.route?.length) o.routes = flags.route;
  if (flags.maxPages !== undefined) o.maxPages = flags.maxPages;
  if (flags.instructions !== undefined) o.instructions = flags.instructions;
  // commander: --no-compare-base gives false; without it the default true means "not given".
  if (flags.compareBase === false) o.compareBase = false;
  if (flags.sandbox === false) o.sandbox = false;
  return o;
}

/**
 * The set-up flags, checked now so a typo fails before a job exists. --env-file is only checked here:
 * its values (secrets) are read again when the job runs and never stored with the job.
 */
async function setupOverrides(flags: SimulateFlags): Promise<SettingOverrides> {
  const path = await import('node:path');
  const { isEnvName, readDotenvFile } = await import('../../config/dotenvFile.js');
  const o: SettingOverrides = {};
  if (flags.config !== undefined) {
    const { loadConfigFile } = await import('../../config/load.js');
    o.configFile = path.resolve(flags.config);
    await loadConfigFile(o.configFile);
  }
  if (flags.env?.length) {
    const env: Record<string, string> = {};
    for (const pair of flags.env) {
      const at = pair.indexOf('=');
      const name = at > 0 ? pair.slice(0, at) : '';
      if (!isEnvName(name)) {
        throw new CoworkerError(
          'INVALID_INPUT',
          `--env takes NAME=value, not ${JSON.stringify(at > 0 ? `${name}=…` : pair)}.`,
          'e.g. --env VITE_API_URL=http://127.0.0.1:8000 (for secrets use --env-file, whose values are masked)',
        );
      }
      env[name] = pair.slice(at + 1);
    }
    o.env = env;
  }
  if (flags.envFile !== undefined) {
    o.envFile = path.resolve(flags.envFile);
    await readDotenvFile(o.envFile, '--env-file');
  }
  if (flags.installTimeout !== undefined) o.installTimeoutSeconds = flags.installTimeout;
  if (flags.allowOrigin?.length) {
    o.allowedOrigins = flags.allowOrigin.map((value) => {
      try {
        const url = new URL(value);
        if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
      } catch {
        // below
      }
      throw new CoworkerError(
        'INVALID_INPUT',
        `--allow-origin takes an http(s) origin, not ${JSON.stringify(value)}.`,
        'e.g. --allow-origin https://api.example.com',
      );
    });
  }
  return o;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Resolve a local target's refs before a job exists, and say what the run will not test: the same
 * commit as base (nothing changed), or uncommitted edits (a simulation tests commits).
 */
async function precheckLocalTarget(
  target: Extract<SimulationRequest['target'], { kind: 'local' }>,
  style: ReturnType<typeof styler>,
): Promise<void> {
  const { hasUncommittedChanges, resolveLocalHead } = await import('../../git/resolveHead.js');
  const { defaultBase, resolveCommit } = await import('../../git/localCheckout.js');
  const { validateRef } = await import('../../git/refs.js');
  const head = await resolveLocalHead(target.repoPath, target.headRef);
  let base: { ref: string; sha: string } | undefined;
  if (target.baseRef !== undefined) {
    validateRef(target.baseRef, 'base ref');
    base = { ref: target.baseRef, sha: await resolveCommit(head.repo, target.baseRef, {}) };
  } else {
    base = await defaultBase(head.repo, {});
  }
  if (base?.sha === head.headSha) {
    process.stderr.write(
      `${style('yellow', 'note:')} ${head.headRef} and ${base.ref} are the same commit: there is no change to test ` +
        '(the app is still started and crawled). Name the branch to test with --head.\n',
    );
  }
  if (target.headRef === undefined && (await hasUncommittedChanges(head.repo))) {
    process.stderr.write(
      `${style('yellow', 'note:')} uncommitted changes in ${head.repo} are not tested; a simulation tests commits ` +
        `(here ${head.headRef} @ ${head.headSha.slice(0, 8)}).\n`,
    );
  }
}

/** A parser for a numeric flag whose errors name the flag and show a valid example. */
function numberFlag(
  flag: string,
  example: number,
  opts: { whole?: boolean } = {},
): (value: string) => number {
  return (value) => {
    const n = Number(value);
    const ok = value.trim() !== '' && Number.isFinite(n) && n > 0 && (!opts.whole || Number.isInteger(n));
    if (!ok) {
      throw new CoworkerError(
        'INVALID_INPUT',
        `${flag} takes a positive ${opts.whole ? 'whole number' : 'number'}, not ${JSON.stringify(value)}.`,
        `e.g. ${flag} ${example}`,
      );
    }
    return n;
  };
}
