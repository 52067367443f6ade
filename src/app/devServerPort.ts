// How each dev server is told which port to listen on. We hand every app a free port in PORT (and
// HOST=127.0.0.1); Next, Nuxt, Create React App and Remix's own server honour PORT, but Vite and
// everything built on it, Astro, the Angular CLI, webpack-dev-server, Vue CLI, Gatsby and Storybook
// ignore it and listen on their own default (Vite and Astro silently move to the next free port). For
// those, the port goes on the command line — only when the script sets no port of its own, so a
// project that chose its flags keeps them (the log-announced URL covers that case).

export interface PortRule {
  /** Name for messages and the README table. */
  server: string;
  /** Matches the server's command (after env-setting prefixes such as `cross-env A=1`). */
  command: RegExp;
  /** Flags that mean "the script already chose a port". */
  ownPort: RegExp;
  /** Flags to append; `{port}` is replaced. Each flag is added only when the script lacks it. */
  flags: Array<{ flag: RegExp; text: string }>;
}

const host = { flag: /--host\b|(?:^|\s)-H\b/, text: '--host 127.0.0.1' };
const portFlags = /--port\b|(?:^|\s)-p\b/;

export const portRules: PortRule[] = [
  {
    server: 'Vite',
    command: /^vite(\s+(dev|serve|preview))?(\s|$)/,
    ownPort: portFlags,
    flags: [{ flag: /$^/, text: '--port {port}' }, { flag: /--strictPort\b/, text: '--strictPort' }, host],
  },
  {
    server: 'Remix / React Router (Vite)',
    command: /^(remix\s+vite:dev|react-router\s+dev)(\s|$)/,
    ownPort: portFlags,
    flags: [{ flag: /$^/, text: '--port {port}' }, { flag: /--strictPort\b/, text: '--strictPort' }, host],
  },
  {
    server: 'Astro',
    command: /^astro\s+(dev|start|preview)(\s|$)/,
    ownPort: portFlags,
    flags: [{ flag: /$^/, text: '--port {port}' }, host],
  },
  {
    server: 'Angular CLI',
    command: /^ng\s+(serve|s)(\s|$)/,
    ownPort: portFlags,
    flags: [{ flag: /$^/, text: '--port {port}' }, host],
  },
  {
    server: 'webpack-dev-server',
    command: /^(webpack(-cli)?\s+(serve|s)|webpack-dev-server)(\s|$)/,
    ownPort: portFlags,
    flags: [{ flag: /$^/, text: '--port {port}' }, host],
  },
  {
    server: 'Vue CLI',
    command: /^vue-cli-service\s+serve(\s|$)/,
    ownPort: portFlags,
    flags: [{ flag: /$^/, text: '--port {port}' }, host],
  },
  {
    server: 'Gatsby',
    command: /^gatsby\s+develop(\s|$)/,
    ownPort: portFlags,
    flags: [
      { flag: /$^/, text: '-p {port}' },
      { flag: /--host\b|(?:^|\s)-H\b/, text: '-H 127.0.0.1' },
    ],
  },
  {
    server: 'Storybook',
    command: /^(storybook\s+dev|start-storybook)(\s|$)/,
    ownPort: portFlags,
    // --ci: no browser tab, no interactive prompt when the port is taken.
    flags: [{ flag: /$^/, text: '-p {port}' }, host, { flag: /--ci\b/, text: '--ci' }],
  },
];

/** Servers that read PORT themselves: nothing to add. */
export const portFromEnv =
  /^(next\s+(dev|start)|nuxi?\s+(dev|preview|start)|react-scripts\s+start|remix\s+dev|nest\s+start)(\s|$)/;

/**
 * The flags to append to a script so its server listens on `port`, or '' when none are needed or we
 * cannot tell (a script of several commands run in parallel, a shell we do not parse).
 */
export function portFlagsFor(scriptBody: string, port: string): { flags: string; server?: string } {
  const last = serverCommand(scriptBody);
  if (last === undefined) return { flags: '' };
  const rule = portRules.find((r) => r.command.test(last));
  if (!rule) return { flags: '' };
  if (rule.ownPort.test(last)) return { flags: '', server: rule.server };
  const flags = rule.flags
    .filter((f) => !f.flag.test(last))
    .map((f) => f.text.replace('{port}', port))
    .join(' ');
  return { flags, server: rule.server };
}

/**
 * The command that receives appended arguments: the last of an `&&` chain, without env prefixes.
 * Undefined for pipes, `;`, background `&`, subshells and command substitution.
 */
function serverCommand(body: string): string | undefined {
  const trimmed = body.trim();
  if (/[|;<>`$()]|&(?!&)/.test(trimmed.replace(/&&/g, ''))) return undefined;
  const last = trimmed.split('&&').at(-1)?.trim() ?? '';
  return last
    .replace(/^(?:cross-env\s+|env\s+)?(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*/, '')
    .replace(/^(?:npx|pnpm\s+exec|yarn|bunx)\s+/, '');
}

/**
 * The literal port a start command or script pins (`astro dev --port 4321`, `next dev -p 3000`,
 * `PORT=8080 node server.js`), if any: two runs of it — the head's and the base's — cannot listen at
 * once. `$PORT` (ours) is no pin.
 */
export function pinnedPort(command: string): number | undefined {
  const m = /(?:--port[=\s]+|(?:^|\s)-p\s+|(?:^|\s)PORT=)(\d{2,5})(?!\S)/.exec(command);
  const port = m ? Number(m[1]) : undefined;
  return port !== undefined && port > 0 && port < 65536 ? port : undefined;
}
