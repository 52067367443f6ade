// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} are the config's own placeholders
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeBackendServices } from '../../src/app/services/nodeBackend.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repoWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'myfav-node-backend-'));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const frontend = { 'client/package.json': { scripts: { dev: 'vite' } } };

describe('a Node backend found beside a frontend', () => {
  it('is the service "api", installed from its own lockfile and started with its script', () => {
    const found = nodeBackendServices(
      repoWith({
        ...frontend,
        'api/package.json': { scripts: { dev: 'nodemon src/index.js' }, dependencies: { express: '^5' } },
        'api/package-lock.json': { lockfileVersion: 3, packages: { 'node_modules/express': {} } },
      }),
    );
    expect(found?.services.api).toEqual({
      cwd: 'api',
      install: 'npm ci',
      start: 'npm run dev',
      ready: { port: true },
    });
    expect(found?.services.web).toMatchObject({ cwd: 'client', app: true, dependsOn: ['api'] });
    expect(found?.services.web?.env?.VITE_API_URL).toBe('${services.api.url}');
  });

  it('is not found without a start script, without a frontend, or when it installs from a workspace root', () => {
    expect(
      nodeBackendServices(repoWith({ ...frontend, 'server/package.json': { scripts: { test: 'x' } } })),
    ).toBeUndefined();
    expect(
      nodeBackendServices(repoWith({ 'server/package.json': { scripts: { start: 'node .' } } })),
    ).toBeUndefined();
    expect(
      nodeBackendServices(
        repoWith({
          ...frontend,
          'package.json': { private: true, workspaces: ['server', 'client'] },
          'package-lock.json': { lockfileVersion: 3, packages: { 'node_modules/x': {} } },
          'server/package.json': { scripts: { start: 'node .' }, dependencies: { x: '1' } },
        }),
      ),
    ).toBeUndefined();
  });
});
