// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} are the config's own placeholders
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { composeServices } from '../../src/app/services/compose.js';
import { findProgram } from '../../src/app/services/programs.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function repoWith(files: Record<string, string>): string {
  dir = mkdtempSync(path.join(os.tmpdir(), 'myfav-compose-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const stack = `
services:
  db:
    image: mysql:8
    environment: [MYSQL_DATABASE=shop, MYSQL_USER=app, MYSQL_PASSWORD=secret]
    volumes: ["./db/init:/docker-entrypoint-initdb.d"]
  backend:
    build: ./backend
    command: ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
    environment:
      DATABASE_URL: mysql://app:secret@db:3306/shop
      DB_HOST: db
      DB_PORT: "3306"
      PORT: "8000"
    ports: ["8000:8000"]
    depends_on: { db: { condition: service_healthy } }
  frontend:
    build: { context: ./frontend }
    environment: { VITE_API: "http://backend:8000/api" }
    ports: ["5173:5173"]
    depends_on: [backend]
  worker:
    build: ./backend
    command: python worker.py
    profiles: [jobs]
`;

describe('docker-compose.yml run without Docker', () => {
  it('maps build services to their commands, with hosts and ports of other services rewritten', () => {
    const root = repoWith({
      'docker-compose.yml': stack,
      'db/init/02-data.sql': 'insert',
      'db/init/01-schema.sql': 'create',
      'frontend/Dockerfile': 'FROM node:22\nCMD ["npm", "run", "dev", "--", "--port", "5173"]\n',
    });
    const mapped = composeServices(root);
    if (!findProgram('mariadbd') && !findProgram('mysqld')) {
      expect.fail(
        'this test needs a local MariaDB/MySQL server (scripts/with-setup.sh installs mariadb-server)',
      );
    }
    const { services, note } = mapped!;
    // Profiles are not started by default, as with docker compose up.
    expect(Object.keys(services).sort()).toEqual(['backend', 'db', 'frontend']);
    expect(services.frontend).toMatchObject({
      cwd: 'frontend',
      start: 'npm run dev -- --port ${port}',
      env: { VITE_API: 'http://127.0.0.1:${services.backend.port}/api' },
      dependsOn: ['backend'],
      app: true,
    });
    expect(services.backend?.start).toMatch(/uvicorn main:app --host 127\.0\.0\.1 --port \$\{port\}$/);
    expect(services.backend?.env).toEqual({
      DATABASE_URL: 'mysql://app:secret@127.0.0.1:${services.db.port}/shop',
      DB_HOST: '127.0.0.1',
      DB_PORT: '${services.db.port}',
    });
    expect(services.backend?.dependsOn).toEqual(['db']);
    // The image's first start: database, user, then the init scripts in name order.
    const seed = services.db?.seed ?? '';
    expect(seed).toMatch(/CREATE DATABASE IF NOT EXISTS `shop`/);
    // (shell-quoted: each ' of the SQL is '\'' in the command)
    expect(seed).toMatch(/CREATE USER '\\''app'\\''@'\\''%'\\'' IDENTIFIED BY '\\''secret'\\''/);
    expect(seed.indexOf('db/init/01-schema.sql')).toBeLessThan(seed.indexOf('db/init/02-data.sql'));
    expect(services.db?.ready).toEqual({ port: true });
    expect(note.title).toContain('the browser opens "frontend"');
  });

  it('says which image cannot run without Docker, and which server is missing', () => {
    const nginx = repoWith({
      'compose.yaml':
        'services:\n  proxy:\n    image: nginx:1.27\n  web:\n    build: .\n    command: node s.js\n',
    });
    expect(() => composeServices(nginx)).toThrow(
      /"proxy" runs the image "nginx:1.27", which cannot run without Docker/,
    );
    rmSync(nginx, { recursive: true, force: true });
    const cache = repoWith({
      'compose.yaml':
        'services:\n  cache:\n    image: redis:7\n  web:\n    build: .\n    command: node s.js\n    depends_on: [cache]\n',
    });
    if (!findProgram('redis-server'))
      expect.fail('this test needs a local Redis server (scripts/with-setup.sh installs redis-server)');
    expect(composeServices(cache)?.services.cache).toEqual({
      start: expect.stringMatching(
        /redis-server --port \$\{port\} --bind 127\.0\.0\.1 --save '' --appendonly no --dir \$\{dataDir\}$/,
      ),
      ready: { port: true },
    });
  });

  it('has nothing to say without a compose file, and refuses one without an app to open', () => {
    expect(composeServices(repoWith({ 'README.md': 'x' }))).toBeUndefined();
    rmSync(dir!, { recursive: true, force: true });
    expect(() =>
      composeServices(repoWith({ 'docker-compose.yml': 'services:\n  db:\n    image: postgres:16\n' })),
    ).toThrow(/no service looks like the app the browser opens/);
  });

  it('reads env_file: a committed template when the .env is not in the branch, environment winning, hosts rewritten', () => {
    const root = repoWith({
      'docker-compose.yml': [
        'services:',
        '  api:',
        '    build: ./api',
        '    command: node server.js',
        '    env_file: [.env, { path: ./api/local.env, required: false }, api/defaults.env]',
        '    environment: { MODE: compose }',
        '    ports: ["8000:8000"]',
        '  web:',
        '    build: ./web',
        '    command: node web.js',
        '    env_file: web/.env',
        '    depends_on: [api]',
      ].join('\n'),
      '.env.example': '# copy to .env\nWEB_ORIGIN=http://web:3000\nMODE=file\n',
      'api/defaults.env': 'export LOG_LEVEL="debug"\n',
      'web/.env': 'API_URL=http://api:8000/v1\n',
    });
    const { services } = composeServices(root)!;
    expect(services.api?.env).toEqual({
      WEB_ORIGIN: 'http://127.0.0.1:3000',
      MODE: 'compose',
      LOG_LEVEL: 'debug',
    });
    expect(services.web?.env).toEqual({ API_URL: 'http://127.0.0.1:${services.api.port}/v1' });
  });

  it('refuses a required env_file the branch lacks, and one outside the repository', () => {
    const compose = (envFile: string) =>
      `services:\n  web:\n    build: .\n    command: node s.js\n    env_file: ${envFile}\n`;
    expect(() => composeServices(repoWith({ 'compose.yaml': compose('.env') }))).toThrow(
      /the service "web" reads its variables from \.env, which the branch does not have \(nor \.env\.example\)/,
    );
    rmSync(dir!, { recursive: true, force: true });
    expect(() => composeServices(repoWith({ 'compose.yaml': compose('../secrets.env') }))).toThrow(
      /the env_file "\.\.\/secrets\.env" of the service "web" is outside the repository/,
    );
  });

  it('does not follow a compose file or env_file that links out of the repository', () => {
    const root = repoWith({ 'web.env': 'A=1\n' });
    symlinkSync('/etc/passwd', path.join(root, 'docker-compose.yml'));
    expect(() => composeServices(root)).toThrow(
      /docker-compose\.yml in the branch is a link to \/etc\/passwd/,
    );
    rmSync(path.join(root, 'docker-compose.yml'));
    writeFileSync(
      path.join(root, 'compose.yaml'),
      'services:\n  web:\n    build: .\n    command: node s.js\n    env_file: host.env\n',
    );
    symlinkSync('/etc/hostname', path.join(root, 'host.env'));
    expect(() => composeServices(root)).toThrow(/host\.env in the branch is a link to \/etc\/hostname/);
  });
});
