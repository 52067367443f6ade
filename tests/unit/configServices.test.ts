// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} are the config's own placeholders
import { describe, expect, it } from 'vitest';
import { substitute } from '../../src/app/services/substitute.js';
import { resolveSettings } from '../../src/config/load.js';
import type { ServiceConfig } from '../../src/config/schema.js';
import { planServices } from '../../src/config/services.js';

const stack: Record<string, ServiceConfig> = {
  web: {
    cwd: 'web',
    start: 'node server.js',
    env: { API_URL: '${services.api.url}' },
    dependsOn: ['api'],
    app: true,
  },
  api: {
    cwd: 'api',
    start: 'uvicorn main:app --port ${port}',
    dependsOn: ['db', 'cache'],
    ready: { url: '/health' },
  },
  cache: { start: 'redis-server --port ${port}' },
  db: { start: 'mariadbd --port=${port} --datadir=${dataDir}', seed: 'mariadb -P${port} < schema.sql' },
};

describe('services in the config', () => {
  it('start each service after what it depends on, the app last', () => {
    const plan = planServices(stack, 'x.json');
    expect(plan.app.name).toBe('web');
    const order = plan.before.map((s) => s.name);
    expect(order.indexOf('db')).toBeLessThan(order.indexOf('api'));
    expect(order.indexOf('cache')).toBeLessThan(order.indexOf('api'));
    expect(order).not.toContain('web');
    expect(plan.before.find((s) => s.name === 'cache')?.ready).toEqual({ port: true });
  });

  it('make the app service the app: its folder, start command and env', () => {
    const settings = resolveSettings({ services: stack }, {});
    expect(settings).toMatchObject({
      appDir: 'web',
      start: 'node server.js',
      install: false,
      appService: 'web',
      env: { API_URL: '${services.api.url}' },
      // What the report says about the folder: the service, not a flag the user never passed.
      appDirReason: 'the folder of the app service "web"',
    });
    expect(resolveSettings({ services: stack, appDir: 'web2' }, {}).appDirReason).toBe(
      'set by "appDir" in the config',
    );
    expect(resolveSettings({ services: stack }, { appDir: 'x' }).appDirReason).toBe('set by --app-dir');
    expect(settings.services.map((s) => s.name)).toHaveLength(3);
    // The flags still win.
    expect(resolveSettings({ services: stack }, { start: 'npm run dev' }).start).toBe('npm run dev');
  });

  it.each([
    [{ a: { start: 'x' } }, /no service with "app": true/],
    [{ a: { start: 'x', app: true }, b: { start: 'y', app: true } }, /2 services with "app": true/],
    [
      { a: { start: 'x', app: true, dependsOn: ['nope'] } },
      /"a" depends on "nope", which is not in "services"/,
    ],
    [
      {
        a: { start: 'x', app: true, dependsOn: ['b'] },
        b: { start: 'y', dependsOn: ['c'] },
        c: { start: 'z', dependsOn: ['b'] },
      },
      /goes round in a circle: b → c → b/,
    ],
    [
      { a: { start: 'x', app: true }, b: { start: 'y', env: { U: '${services.a.port}' } } },
      /port of "a", the app/,
    ],
    [{ a: { start: 'x ${services.db.port}', app: true } }, /no service "db"/],
  ] as Array<[Record<string, ServiceConfig>, RegExp]>)(
    'refuse a mistake with a message naming it (%#)',
    (services, message) => {
      expect(() => planServices(services, 'x.json')).toThrow(message);
    },
  );

  it('substitute ports, URLs and data dirs, leaving shell variables alone', () => {
    const values = {
      own: { port: 4000, dataDir: '/tmp/job/db/data' },
      services: new Map([['api', { port: 5000, host: '127.0.0.1' }]]),
    };
    expect(
      substitute(
        'x --port=${port} --dir=${dataDir} $HOME ${HOME} ${services.api.url}/v1 ${services.nope.port}',
        values,
      ),
    ).toBe(
      'x --port=4000 --dir=/tmp/job/db/data $HOME ${HOME} http://127.0.0.1:5000/v1 ${services.nope.port}',
    );
  });
});
