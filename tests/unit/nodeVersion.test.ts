// The Node.js check's comparison (src/nodeVersion.ts): which Nodes package.json's engines allow, and the
// line a too-old one prints. The built check is run under a real old Node in tests/e2e/oldNode.test.ts.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { satisfiesRange, unsupportedNodeMessage } from '../../src/nodeVersion.js';
import { repoRoot } from '../helpers/cli.js';

const engines = (
  JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    engines: { node: string };
  }
).engines.node;

describe('the Node.js versions package.json allows', () => {
  it('refuses the Nodes whose Node-API cannot load better-sqlite3 (< 22.14, 23.0–23.5) and takes the rest', () => {
    for (const old of ['v18.20.8', 'v20.20.2', 'v22.0.0', 'v22.12.0', 'v22.13.1', 'v23.0.0', 'v23.5.0']) {
      expect(satisfiesRange(old, engines), old).toBe(false);
    }
    for (const ok of ['v22.14.0', 'v22.22.1', 'v23.6.0', 'v24.0.0', 'v24.21.0', 'v26.1.0']) {
      expect(satisfiesRange(ok, engines), ok).toBe(true);
    }
    // The Node running the tests is one we support.
    expect(satisfiesRange(process.version, engines)).toBe(true);
  });

  it('compares numerically, not as text, and reads the usual range forms', () => {
    const cases: [version: string, range: string, allowed: boolean][] = [
      ['v22.9.0', '>=22.12', false],
      ['v22.100.0', '>=22.12', true],
      ['v9.0.0', '>=22', false],
      ['v100.0.0', '>=22', true],
      ['v22.14.0', '>= 22.14.0 <23', true],
      ['v23.0.0', '>= 22.14.0 <23', false],
      ['v22.14.5', '~22.14.2', true],
      ['v22.15.0', '~22.14.2', false],
      ['v22.3.0', '22', true],
      ['v23.0.0', '22', false],
      ['v22.14.9', '22.14.x', true],
      ['v22.15.0', '22.14.x', false],
      ['v21.7.3', '<22', true],
      // A nightly or release candidate counts as its release.
      ['v22.14.0-rc.1', engines, true],
    ];
    for (const [version, range, allowed] of cases) {
      expect(satisfiesRange(version, range), `${version} in ${range}`).toBe(allowed);
    }
    expect(() => satisfiesRange('v22.14.0', 'latest')).toThrow(/unsupported engines comparator/);
  });
});

describe('the line a too-old Node prints', () => {
  it('says what is needed, which Node this is and where, and what to do', () => {
    const line = unsupportedNodeMessage('v20.20.2', '/usr/bin/node', engines);
    expect(line).toBe(
      'myfav-coworker needs Node.js 22.14 or newer (^22.14.0 || >=23.6.0), but this is Node.js v20.20.2 ' +
        '(/usr/bin/node). Install Node.js 24 LTS (https://nodejs.org, or `nvm install 24`) and run it with ' +
        'that Node, or let npx fetch one: npx -p node@24 -p myfav-coworker myfav-coworker <command>',
    );
    expect(line).not.toContain('\n');
    expect(unsupportedNodeMessage('v18.0.0', '/x/node', '>=22.12')).toMatch(
      /^myfav-coworker needs Node\.js 22\.12 or newer, but this is Node\.js v18\.0\.0 \(\/x\/node\)\. /,
    );
  });

  it('is null for a supported Node, and for an engines value it cannot read (that never blocks)', () => {
    expect(unsupportedNodeMessage('v24.21.0', '/usr/bin/node', engines)).toBeNull();
    expect(unsupportedNodeMessage('v20.20.2', '/usr/bin/node', 'latest')).toBeNull();
  });
});
