// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} are the config's own placeholders
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pythonServices } from '../../src/app/services/pythonApp.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repoWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'myfav-python-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('a Python web app found without config', () => {
  it('at the root: the FastAPI app is the app, started with uvicorn on its port', () => {
    const found = pythonServices(
      repoWith({
        'pyproject.toml': '[project]\nname = "shop"\n',
        'shop/__init__.py': '',
        'shop/routes.py': 'from fastapi import APIRouter\nrouter = APIRouter()\n',
        'shop/main.py': 'from fastapi import FastAPI\n\napplication = FastAPI(title="Shop")\n',
        'tests/test_x.py': 'app = FastAPI()\n',
      }),
    );
    expect(found?.services).toEqual({
      app: {
        start: expect.stringMatching(
          / -m uvicorn shop\.main:application --host 127\.0\.0\.1 --port \$\{port\}$/,
        ),
        app: true,
      },
    });
    expect(found?.note.detail).toContain('application = FastAPI() in shop/main.py');
  });

  it('a backend beside a frontend: the API is a service, the frontend the app that is told its URL', () => {
    const found = pythonServices(
      repoWith({
        'backend/requirements.txt': 'flask\n',
        'backend/app.py': 'from flask import Flask\napp = Flask(__name__)\n',
        'frontend/package.json': '{"scripts":{"dev":"vite"}}',
      }),
    );
    expect(found?.services.api).toMatchObject({
      cwd: 'backend',
      start: expect.stringMatching(/ -m flask --app app:app run --host 127\.0\.0\.1 --port \$\{port\}$/),
    });
    expect(found?.services.web).toMatchObject({
      cwd: 'frontend',
      app: true,
      dependsOn: ['api'],
      env: expect.objectContaining({ VITE_API_URL: '${services.api.url}' }),
    });
    expect(found?.services.web?.start).toBeUndefined(); // left to the frontend's own detection
  });

  it('finds nothing without a Python project or a web app in it', () => {
    expect(pythonServices(repoWith({ 'README.md': 'x' }))).toBeUndefined();
    expect(
      pythonServices(repoWith({ 'requirements.txt': 'requests\n', 'tool.py': 'print(1)\n' })),
    ).toBeUndefined();
  });
});
