import { z } from 'zod';
import { ignorableKinds } from './findingKinds.js';

/**
 * Known noise, silenced with a reason: every field given must match. `url` is a URL or a path with `*`
 * wildcards (`/_vercel/*`, `https://fonts.googleapis.com/*`), `console` a piece of a console message or
 * page error (or `/regex/`), `kind` a finding kind.
 */
export const ignoreRuleSchema = z
  .object({
    url: z.string().min(1).optional(),
    console: z.string().min(1).optional(),
    kind: z.enum(ignorableKinds).optional(),
    reason: z.string().min(1).describe('Why this is noise: shown in the report.'),
  })
  .strict()
  .refine((r) => r.url !== undefined || r.console !== undefined || r.kind !== undefined, {
    message: 'an ignore rule needs "url", "console" or "kind" (and a "reason")',
  });

export type IgnoreRule = z.infer<typeof ignoreRuleSchema>;

const envNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/);

/**
 * One process of a full-stack app (a database, an API, the frontend). Each gets a free port of its own
 * (`PORT`, `${port}`; other services read it as `${services.NAME.port}`), a data dir in the job's temp
 * dir (`${dataDir}`) and a log of its own; `app: true` marks the one the browser opens.
 */
export const serviceSchema = z
  .object({
    cwd: z.string().min(1).describe('Folder the commands run in, relative to the repo root.').optional(),
    install: z.string().min(1).describe('Command run once before start (dependencies).').optional(),
    start: z
      .string()
      .min(1)
      .describe('Command that starts the service; it gets PORT. Optional for the app: then it is detected.')
      .optional(),
    seed: z.string().min(1).describe('Command run once the service is ready (schema, data).').optional(),
    env: z.record(envNameSchema, z.string()).optional(),
    ready: z
      .union([z.object({ url: z.string().min(1) }).strict(), z.object({ port: z.literal(true) }).strict()])
      .describe(
        'Ready when this URL (a path on its port) answers < 500, or when its port accepts connections.',
      )
      .optional(),
    dependsOn: z
      .array(z.string().min(1))
      .describe('Services started (and ready) before this one.')
      .optional(),
    app: z.literal(true).describe('The service the browser opens (exactly one).').optional(),
    nonRoot: z
      .literal(true)
      .describe(
        'Runs as an unprivileged user in its sandbox when myfav-coworker runs as root (servers that refuse root, e.g. PostgreSQL).',
      )
      .optional(),
  })
  .strict();

export type ServiceConfig = z.infer<typeof serviceSchema>;

export const serviceNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/i, 'a service name is letters, digits, "-" or "_" (up to 40)');

/** `.myfav-coworker.json` at the repo root. Every field optional; unknown fields are an error (typos). */
export const repoConfigSchema = z
  .object({
    appDir: z.string().min(1).describe('Folder of the app inside the repo (monorepos).').optional(),
    install: z
      .union([z.string().min(1), z.literal(false)])
      .describe('Install command, or false to skip installing.')
      .optional(),
    start: z.string().min(1).describe('Command that starts the app; it gets PORT and HOST.').optional(),
    url: z.string().min(1).describe('Entry URL or path (e.g. /app or http://127.0.0.1:5173/).').optional(),
    readyTimeout: z
      .number()
      .positive()
      .max(3600)
      .describe('Seconds to wait for the app to answer.')
      .optional(),
    installTimeout: z.number().positive().max(7200).describe('Seconds the install may take.').optional(),
    routes: z
      .array(z.string().regex(/^[/#]/, 'a route starts with "/" (or "#/" for a hash route)'))
      .describe('Paths (or #/hash routes) to visit besides the entry URL.')
      .optional(),
    maxPages: z.number().int().min(1).max(200).describe('Bound on pages the smoke crawl visits.').optional(),
    env: z.record(envNameSchema, z.string()).optional(),
    services: z
      .record(serviceNameSchema, serviceSchema)
      .describe('A full-stack app: database, API and frontend started together (one has "app": true).')
      .optional(),
    allowedOrigins: z.array(z.string().url()).describe('Extra origins the browser may reach.').optional(),
    instructions: z.string().max(10_000).optional(),
    compareBase: z
      .boolean()
      .describe('false: do not run the base commit to compare with (every finding counts).')
      .optional(),
    ignore: z
      .array(ignoreRuleSchema)
      .max(200)
      .describe('Known noise to leave out of the verdict.')
      .optional(),
    envFile: z
      .string()
      .min(1)
      .describe('Template copied to .env when the app has no .env (default .env.example).')
      .optional(),
    visualThreshold: z
      .number()
      .min(0)
      .max(1)
      .describe(
        'Share of pixels (0–1) that may differ from the base before a page counts as visibly changed.',
      )
      .optional(),
    mask: z
      .array(z.string().trim().min(1))
      .max(50)
      .describe('CSS selectors of dynamic regions (clocks, ads) painted over in compared screenshots.')
      .optional(),
    accessibility: z
      .enum(['warning', 'error', 'off'])
      .describe(
        'How a serious/critical axe-core violation new on head counts: warning, error, or off (no check).',
      )
      .optional(),
  })
  .strict();

export type RepoConfig = z.infer<typeof repoConfigSchema>;

/** What the user passed on the command line (or through MCP). Undefined = not given. */
export interface SettingOverrides {
  appDir?: string;
  install?: string | false;
  start?: string;
  url?: string;
  readyTimeoutSeconds?: number;
  routes?: string[];
  maxPages?: number;
  instructions?: string;
  /** false: `--no-compare-base` (MCP `compare_base: false`). */
  compareBase?: boolean;
  /** `--env KEY=VALUE` (added to the config's `env`, winning over it). */
  env?: Record<string, string>;
  /** `--env-file`: absolute path, read when the job runs; its values are secrets and never stored. */
  envFile?: string;
  installTimeoutSeconds?: number;
  /** `--allow-origin` (added to the config's `allowedOrigins`). */
  allowedOrigins?: string[];
  /** `--config`: absolute path of a `.myfav-coworker.json` outside the repository. */
  configFile?: string;
  /** false: `--no-sandbox` (CLI only: never from MCP, a model's flag is not the user's choice). */
  sandbox?: false;
}

/** Effective settings of one simulation: defaults < .myfav-coworker.json < flags. */
export interface SimulationSettings {
  appDir: string | undefined;
  /** Who chose appDir, in words for the report ("set by --app-dir"); unset when nothing did. */
  appDirReason?: string;
  /** undefined = detect from the lockfile, false = skip. */
  install: string | false | undefined;
  start: string | undefined;
  url: string | undefined;
  readyTimeoutMs: number;
  installTimeoutMs: number;
  routes: string[];
  maxPages: number;
  env: Record<string, string>;
  allowedOrigins: string[];
  instructions: string | undefined;
  ignore: IgnoreRule[];
  /** Template copied to `.env` (relative to the app folder). */
  envTemplate: string;
  /** Share of pixels that may differ before a compared page counts as visibly changed. */
  visualThreshold: number;
  /** CSS selectors masked in compared screenshots (on head and base alike). */
  mask: string[];
  /** Severity of a new accessibility violation, or 'off' (axe does not run). */
  accessibility: AccessibilityLevel;
  /** `services` of a full-stack app: the ones started before the app, in start order ([] for one app). */
  services: ServiceSpec[];
  /** The name of the service the browser opens (its cwd/start/install/env are the app's settings above). */
  appService?: string;
  /** Whether the base commit is run too (false: `--no-compare-base` or `"compareBase": false`). */
  compareBase: boolean;
}

/** A service started before the app, as resolved from the config (or a docker-compose.yml). */
export interface ServiceSpec {
  name: string;
  /** Relative to the repo root ('' = root). */
  cwd: string;
  install?: string;
  start: string;
  seed?: string;
  env: Record<string, string>;
  ready: { url: string } | { port: true };
  dependsOn: string[];
  /** Run as an unprivileged user (in its sandbox) even when we are root. */
  nonRoot?: true;
}

export type AccessibilityLevel = 'warning' | 'error' | 'off';

/**
 * 0.1 % of a page's pixels (about 1,000 of a 1280×800 viewport, a 32×32 square): more than what changes
 * between two runs of the same page — nothing, or a small unmasked clock or counter (a few hundred
 * pixels) — and less than a real change of look (a block that moved, a recoloured button: thousands).
 */
export const DEFAULT_VISUAL_THRESHOLD = 0.001;

export const defaultSettings: SimulationSettings = {
  appDir: undefined,
  install: undefined,
  start: undefined,
  url: undefined,
  readyTimeoutMs: 60_000,
  installTimeoutMs: 10 * 60_000,
  routes: [],
  maxPages: 10,
  env: {},
  allowedOrigins: [],
  instructions: undefined,
  ignore: [],
  envTemplate: '.env.example',
  visualThreshold: DEFAULT_VISUAL_THRESHOLD,
  mask: [],
  accessibility: 'warning',
  services: [],
  compareBase: true,
};
