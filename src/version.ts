import { readFileSync } from 'node:fs';

/** The package's package.json (one level above dist/ and src/), or {} when it cannot be read. */
const packageJson: { version?: unknown; engines?: { node?: unknown } } = (() => {
  try {
    return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) ?? {};
  } catch {
    return {};
  }
})();

/** The package's version, from its package.json. */
export const productVersion: string = typeof packageJson.version === 'string' ? packageJson.version : '0.0.0';

/** The Node.js versions it runs on (`engines.node`; src/nodeGuard.ts, run before start-up, has it built in). */
export const nodeEngines: string =
  typeof packageJson.engines?.node === 'string' ? packageJson.engines.node : '';

/**
 * The hash of the built code (`dist/build-id.txt`, written by scripts/build.js), or '' when running
 * from src/. The version alone does not say which code ran: a checkout between releases keeps 0.1.0
 * through many changes, and results cached by older code (the base cache) must not answer for newer.
 */
export function readBuildId(distDir: URL): string {
  try {
    const id = readFileSync(new URL('build-id.txt', distDir), 'utf8').trim();
    return /^[0-9a-f]{8,64}$/.test(id) ? id : '';
  } catch {
    return '';
  }
}

/** Which code this is: the version, and the build's hash when there is one. */
export const codeIdentity: string = (() => {
  const id = readBuildId(new URL('./', import.meta.url));
  return id ? `${productVersion}+${id}` : productVersion;
})();
