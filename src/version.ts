import { readFileSync } from 'node:fs';

/** The package's version, from its package.json (one level above dist/ and src/). */
export const productVersion: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

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
