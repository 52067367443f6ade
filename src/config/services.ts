// The `services` of a full-stack app, checked and put in start order: every `dependsOn` names a
// service, nothing depends on itself through a cycle, exactly one service is the app the browser
// opens, and every `${services.NAME.port}` names a service. Mistakes are config errors before
// anything starts, each saying which service and what to change.

import { CoworkerError } from '../errors.js';
import type { ServiceConfig, ServiceSpec } from './schema.js';

export interface ServicePlan {
  /** The service the browser opens (started last, as the app). */
  app: { name: string; config: ServiceConfig };
  /** Every other service, in an order that starts each after what it depends on. */
  before: ServiceSpec[];
}

const referencePattern = /\$\{services\.([^.}]+)\.(port|host|url)\}/g;

export function planServices(services: Record<string, ServiceConfig>, where: string): ServicePlan {
  const names = Object.keys(services);
  const invalid = (message: string, hint: string) =>
    new CoworkerError('INVALID_CONFIG', `${where}: ${message}`, hint);
  const apps = names.filter((name) => services[name]?.app);
  if (apps.length !== 1) {
    throw invalid(
      apps.length === 0
        ? `"services" has no service with "app": true (${names.join(', ')}).`
        : `"services" has ${apps.length} services with "app": true (${apps.join(', ')}).`,
      'Mark exactly one service — the one the browser opens, usually the frontend — with "app": true.',
    );
  }
  for (const name of names) {
    const config = services[name]!;
    if (!config.start && name !== apps[0])
      throw invalid(
        `service "${name}" has no "start": only the app's start command may be left to detection.`,
        'Give the command that starts it in "start".',
      );
    for (const dep of config.dependsOn ?? []) {
      if (!(dep in services))
        throw invalid(
          `service "${name}" depends on "${dep}", which is not in "services" (${names.join(', ')}).`,
          'Fix the name in "dependsOn", or add the service.',
        );
      if (dep === apps[0])
        throw invalid(
          `service "${name}" depends on "${dep}", the app: the app starts last, once every other service is ready.`,
          'Remove it from "dependsOn".',
        );
    }
    const texts = [config.start, config.install, config.seed, ...Object.values(config.env ?? {})];
    for (const text of texts) {
      for (const [, ref] of (text ?? '').matchAll(referencePattern)) {
        if (!(ref! in services))
          throw invalid(
            `service "${name}" refers to \${services.${ref}...}, but there is no service "${ref}".`,
            `Name one of ${names.join(', ')}.`,
          );
        if (ref === apps[0])
          throw invalid(
            `service "${name}" refers to the port of "${ref}", the app: its port is chosen when it starts, after every other service.`,
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder of the config, not of JS
            'Let the app call the others (e.g. a frontend proxying /api to ${services.api.url}), not the other way round.',
          );
      }
    }
  }

  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting')
      throw invalid(
        `"dependsOn" goes round in a circle: ${[...path.slice(path.indexOf(name)), name].join(' → ')}.`,
        'Remove one of these dependencies: services start one after another, each after what it depends on.',
      );
    state.set(name, 'visiting');
    for (const dep of services[name]?.dependsOn ?? []) visit(dep, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of names) visit(name, []);

  const appName = apps[0]!;
  return {
    app: { name: appName, config: services[appName]! },
    before: order.filter((name) => name !== appName).map((name) => specOf(name, services[name]!)),
  };
}

function specOf(name: string, config: ServiceConfig): ServiceSpec {
  return {
    name,
    cwd: config.cwd ?? '',
    ...(config.install ? { install: config.install } : {}),
    start: config.start!,
    ...(config.seed ? { seed: config.seed } : {}),
    env: config.env ?? {},
    ready: config.ready ?? { port: true },
    dependsOn: config.dependsOn ?? [],
    ...(config.nonRoot ? { nonRoot: true as const } : {}),
  };
}
