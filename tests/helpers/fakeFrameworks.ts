// Zero-dependency stand-ins for the layouts of real frameworks, for tests through the real binary.
// The app's server is ours (a few lines of node), but the repository looks like the framework's: its
// package.json names the framework, its pages live where the framework puts them, and a branch changes
// those files. What is under test is how myfav-coworker reads that layout, not the framework itself.

import { createServer } from 'node:net';

/**
 * A tiny page server: `routes.json` maps URL paths to files; a file's page is its `/*html … *\/`
 * block when it has one (route modules), else the whole file (.html, .astro, .vue stand-ins).
 * Unknown paths get `404.html`-like answers. It listens on PORT, or on `--port N` when given;
 * with `--ignore-port-env` it ignores PORT and uses 4321 (as Astro does). It prints its URL the
 * way dev servers do.
 */
export const pageServer = `
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const port = Number(flag('--port') ?? (args.includes('--ignore-port-env') ? 4321 : process.env.PORT));
const host = flag('--host') ?? '127.0.0.1';
const root = process.env.PAGES_ROOT ? path.resolve(process.env.PAGES_ROOT) : process.cwd();
const routes = JSON.parse(fs.readFileSync(path.join(root, 'routes.json'), 'utf8'));
function page(file) {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const block = /\\/\\*html([\\s\\S]*?)\\*\\//.exec(text);
  return block ? block[1] : text;
}
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const file = routes[url.pathname];
  if (file && fs.existsSync(path.join(root, file))) {
    const body = page(file).replaceAll('{{GREETING}}', process.env.GREETING ?? '').replaceAll('{{API_SECRET}}', process.env.API_SECRET ?? '');
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(body);
  } else {
    const notFound = routes['*404'] ? page(routes['*404']) : '<h1>Not found</h1>';
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end(notFound);
  }
}).listen(port, host, () => console.log('  Local    http://localhost:' + port + '/'));
`;

/** A page whose script throws while loading, as a broken change does. */
export const throwingPage = (title: string, message: string) =>
  `<!doctype html><title>${title}</title><h1>${title}</h1><script>throw new TypeError(${JSON.stringify(message)});</script>`;

export const okPage = (title: string, body = '') =>
  `<!doctype html><title>${title}</title><h1>${title}</h1>${body}`;

/** A route module (.tsx) of a file-routed framework, carrying the HTML our server answers with. */
export const routeModule = (html: string) =>
  `/*html${html}*/\nexport default function Page() { return null; }\n`;

/**
 * A local stand-in package (installed by npm from `file:`, no registry needed): `vendor/<name>` with a
 * `bin` that starts the page server. Used for an Astro-like CLI that ignores PORT.
 */
export function astroLikePackage(): Record<string, string> {
  return {
    'vendor/astro/package.json': JSON.stringify({
      name: 'astro',
      version: '0.0.0-fixture',
      bin: { astro: 'cli.js' },
    }),
    // `astro dev [--port N] [--host H]`: ignores PORT, defaults to 4321, like Astro.
    'vendor/astro/cli.js': `#!/usr/bin/env node\nprocess.argv.push('--ignore-port-env');\nrequire('./server.js');\n`,
    'vendor/astro/server.js': pageServer,
  };
}

/** A free TCP port on 127.0.0.1 (for a script that sets its own port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
