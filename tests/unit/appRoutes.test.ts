import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { routesFromDiff } from '../../src/app/routes/index.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function app(
  dependencies: Record<string, string>,
  files: Record<string, string> = {},
): Promise<string> {
  const root = await realpath(await mkdtemp(path.join(tmpdir(), 'myfav-routes-')));
  dirs.push(root);
  const all = { 'package.json': JSON.stringify({ dependencies }), ...files };
  for (const [rel, content] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content);
  }
  return root;
}

type Case = [file: string, route: string | null];

async function expectRoutes(deps: Record<string, string>, cases: Case[]) {
  const root = await app(deps);
  for (const [file, route] of cases) {
    const result = routesFromDiff(root, '', [file]);
    expect({ file, routes: result.routes.map((r) => r.path) }).toEqual({
      file,
      routes: route ? [route] : [],
    });
  }
}

describe('routesFromDiff: file routes by framework', () => {
  it('static HTML in any app', async () => {
    await expectRoutes({}, [
      ['public/about.html', '/about.html'],
      ['public/index.html', '/'],
      ['public/docs/index.html', '/docs/'],
      ['contact.html', '/contact.html'],
      ['index.html', '/'],
      ['dist/index.html', null],
      ['src/template.html', null],
    ]);
  });

  it('Next.js: app router and pages router', async () => {
    await expectRoutes({ next: '15.0.0' }, [
      ['app/page.tsx', '/'],
      ['app/dashboard/page.tsx', '/dashboard'],
      ['src/app/settings/layout.tsx', '/settings'],
      ['app/(marketing)/pricing/page.tsx', '/pricing'],
      ['app/@modal/login/page.tsx', '/login'],
      ['app/users/[id]/page.tsx', null],
      ['app/api/route.ts', null],
      ['app/_components/button.tsx', null],
      ['pages/about.tsx', '/about'],
      ['pages/index.tsx', '/'],
      ['pages/blog/index.jsx', '/blog'],
      ['pages/_app.tsx', '/'],
      ['pages/api/users.ts', null],
      ['pages/posts/[id].tsx', null],
    ]);
  });

  it('Remix / React Router v7: flat routes with dots, $params, _index, pathless layouts', async () => {
    await expectRoutes({ '@react-router/dev': '7.0.0' }, [
      ['app/routes/_index.tsx', '/'],
      ['app/routes/about.tsx', '/about'],
      ['app/routes/settings.profile.tsx', '/settings/profile'],
      ['app/routes/concerts.$city.tsx', null],
      ['app/routes/_auth.login.tsx', '/login'],
      ['app/routes/concerts_.mine.tsx', '/concerts/mine'],
      ['app/routes/sitemap[.]xml.tsx', '/sitemap.xml'],
      ['app/routes/($lang).pricing.tsx', '/pricing'],
      ['app/routes/dashboard.billing/route.tsx', '/dashboard/billing'],
      ['app/routes/dashboard.billing/invoice-table.tsx', null],
      ['app/root.tsx', '/'],
      ['src/app/routes/not-found.tsx', null],
    ]);
  });

  it('SvelteKit: +page files, groups and optional parameters', async () => {
    await expectRoutes({ '@sveltejs/kit': '2.0.0' }, [
      ['src/routes/+page.svelte', '/'],
      ['src/routes/about/+page.svelte', '/about'],
      ['src/routes/blog/+page.server.ts', '/blog'],
      ['src/routes/(app)/settings/+page.svelte', '/settings'],
      ['src/routes/[[lang]]/faq/+page.svelte', '/faq'],
      ['src/routes/items/[id]/+page.svelte', null],
      ['src/routes/api/+server.ts', null],
    ]);
  });

  it('Nuxt: pages/ (and app/pages/ in Nuxt 4), app.vue', async () => {
    await expectRoutes({ nuxt: '3.12.0' }, [
      ['pages/index.vue', '/'],
      ['pages/settings.vue', '/settings'],
      ['pages/users/index.vue', '/users'],
      ['pages/users/[id].vue', null],
      ['app/pages/about.vue', '/about'],
      ['app.vue', '/'],
      ['src/pages/Settings.vue', null],
    ]);
  });

  it('Astro: src/pages, markdown pages, endpoints and _excluded files', async () => {
    await expectRoutes({ astro: '5.0.0' }, [
      ['src/pages/index.astro', '/'],
      ['src/pages/en/faq.mdx', '/en/faq'],
      ['src/pages/404.astro', '/404'],
      ['src/pages/blog/[...slug].astro', null],
      ['src/pages/api/search.ts', null],
      ['src/pages/_draft.astro', null],
    ]);
  });

  it('a Next rule is not applied to a React Router SPA (src/app/routes/not-found.tsx is no /routes)', async () => {
    const root = await app(
      { 'react-router': '7.0.0' },
      { 'src/app/routes/not-found.tsx': 'export default 1' },
    );
    const result = routesFromDiff(root, '', ['src/app/routes/not-found.tsx']);
    expect(result.routes).toEqual([]);
    expect(result.unrouted).toEqual([{ file: 'src/app/routes/not-found.tsx', why: 'no route found' }]);
  });
});

describe('routesFromDiff: plain router tables', () => {
  const vueRouter = `import { createRouter, createWebHashHistory } from 'vue-router'
import Home from './pages/Home.vue'
export const routes = [
  { name: 'home', path: '/', component: Home },
  { name: 'article', path: '/article/:slug', component: () => import('./pages/Article.vue') },
  { name: 'settings', path: '/settings', component: () => import('./pages/Settings.vue') },
  { path: '/account', component: () => import('./pages/Account.vue'),
    children: [{ path: 'security', component: () => import('./pages/Security.vue') }] },
]
export const router = createRouter({ history: createWebHashHistory(), routes })
`;
  const files = {
    'index.html': '<div id="app"></div><script type="module" src="/src/main.ts"></script>',
    'src/main.ts':
      "import { createApp } from 'vue'\nimport App from './App.vue'\nimport { router } from './router'\ncreateApp(App).use(router)",
    'src/App.vue': "<script setup>import AppNavigation from './components/AppNavigation.vue'</script>",
    'src/router.ts': vueRouter,
    'src/pages/Home.vue': '<template>home</template>',
    'src/pages/Settings.vue':
      "<script setup>import SettingsForm from '@/components/SettingsForm.vue'</script>",
    'src/pages/Article.vue':
      "<script setup>import ArticleDetail from '../components/ArticleDetail.vue'</script>",
    'src/pages/Account.vue': '<template>a</template>',
    'src/pages/Security.vue': '<template>s</template>',
    'src/components/AppNavigation.vue': '<template>nav</template>',
    'src/components/SettingsForm.vue': '<template>form</template>',
    'src/components/ArticleDetail.vue': '<template>d</template>',
    'src/utils/format.ts': 'export const f = 1',
  };

  it('vue-router with hash history: pages, nested children, components through their importers', async () => {
    const root = await app({ vue: '3.0.0', 'vue-router': '4.0.0' }, files);
    const changed = [
      'src/pages/Settings.vue',
      'src/pages/Security.vue',
      'src/components/SettingsForm.vue',
      'src/components/AppNavigation.vue',
      'src/components/ArticleDetail.vue',
      'src/utils/format.ts',
    ];
    const result = routesFromDiff(root, '', changed);
    expect(result.framework).toBe('vue-router');
    expect(result.routes.map((r) => [r.path, r.files])).toEqual([
      ['/#/settings', ['src/pages/Settings.vue', 'src/components/SettingsForm.vue']],
      ['/#/account/security', ['src/pages/Security.vue']],
      ['/', ['src/components/AppNavigation.vue']],
    ]);
    expect(result.unrouted).toEqual([
      {
        file: 'src/components/ArticleDetail.vue',
        why: 'its route /article/:slug has a parameter: no concrete URL to open',
      },
      { file: 'src/utils/format.ts', why: 'no route found' },
    ]);
  });

  it('React Router: JSX <Route> tables and route objects, relative children joined', async () => {
    const root = await app(
      { react: '19.0.0', 'react-router-dom': '6.0.0' },
      {
        'src/App.tsx': `import { BrowserRouter, Routes, Route } from 'react-router-dom';
import Settings from './pages/Settings';
import Team from './pages/Team';
export default function App() {
  return (<BrowserRouter><Routes>
    <Route path="/settings" element={<Settings />} />
    <Route path="/org" element={<Layout />}>
      <Route path="team" element={<Team />} />
    </Route>
  </Routes></BrowserRouter>);
}`,
        'src/router.tsx': `import { createBrowserRouter } from 'react-router-dom';
import { paths } from './paths';
export const router = createBrowserRouter([
  { path: '/billing', lazy: () => import('./pages/Billing') },
  { path: paths.profile, lazy: () => import('./pages/Profile') },
]);`,
        'src/pages/Settings.tsx': 'export default 1',
        'src/pages/Team.tsx': 'export default 1',
        'src/pages/Billing.tsx': 'export default 1',
        'src/pages/Profile.tsx': 'export default 1',
      },
    );
    const changed = [
      'src/pages/Settings.tsx',
      'src/pages/Team.tsx',
      'src/pages/Billing.tsx',
      'src/pages/Profile.tsx',
    ];
    const result = routesFromDiff(root, '', changed);
    expect(result.routes.map((r) => r.path)).toEqual(['/settings', '/org/team', '/billing']);
    expect(result.unrouted.map((u) => u.file)).toEqual(['src/pages/Profile.tsx']);
  });

  it('React Router: paths read from a constant object, here or imported (nested, relative, empty)', async () => {
    const root = await app(
      { react: '18.3.1', 'react-router': '7.0.0' },
      {
        'src/config/paths.ts': `export const paths = {
  home: { path: '/', getHref: () => '/' },
  auth: {
    login: {
      path: '/auth/login',
      getHref: (to?: string) => \`/auth/login\${to ? \`?redirectTo=\${to}\` : ''}\`,
    },
  },
  app: {
    root: { path: '/app' },
    dashboard: { path: '' },
    users: { path: 'users' },
    user: { path: 'users/:id' },
    report: { path: '/report/' + 'x' },
  },
} as const;`,
        'src/app/router.tsx': `import { createBrowserRouter } from 'react-router';
import { paths } from '@/config/paths';
export const createAppRouter = () =>
  createBrowserRouter([
    { path: paths.home.path, lazy: () => import('./routes/landing').then(convert) },
    { path: paths.auth.login.path, lazy: () => import('./routes/auth/login').then(convert) },
    {
      path: paths.app.root.path,
      element: <Root />,
      children: [
        { path: paths.app.dashboard.path, lazy: () => import('./routes/app/dashboard') },
        { path: paths.app.users.path, lazy: () => import('./routes/app/users') },
        { path: paths.app.user.path, lazy: () => import('./routes/app/user') },
        { path: paths.app.report.path, lazy: () => import('./routes/app/report') },
      ],
    },
  ]);`,
        'src/App.tsx': `import { Routes, Route } from 'react-router';
import Settings from './Settings';
const ROUTES = { SETTINGS: '/settings' };
export const App = () => <Routes><Route path={ROUTES.SETTINGS} element={<Settings />} /></Routes>;`,
        'src/Settings.tsx': 'export default 1',
        'src/app/routes/landing.tsx': 'export default 1',
        'src/app/routes/auth/login.tsx': "import { LoginForm } from '@/features/auth/login-form';",
        'src/features/auth/login-form.tsx': 'export const LoginForm = 1',
        'src/app/routes/app/dashboard.tsx': 'export default 1',
        'src/app/routes/app/users.tsx': 'export default 1',
        'src/app/routes/app/user.tsx': 'export default 1',
        'src/app/routes/app/report.tsx': 'export default 1',
      },
    );
    const result = routesFromDiff(root, '', [
      'src/features/auth/login-form.tsx',
      'src/app/routes/landing.tsx',
      'src/app/routes/app/dashboard.tsx',
      'src/app/routes/app/users.tsx',
      'src/app/routes/app/user.tsx',
      'src/app/routes/app/report.tsx',
      'src/Settings.tsx',
    ]);
    expect(result.routes.map((r) => [r.path, r.files])).toEqual([
      ['/auth/login', ['src/features/auth/login-form.tsx']],
      ['/', ['src/app/routes/landing.tsx']],
      ['/app', ['src/app/routes/app/dashboard.tsx']],
      ['/app/users', ['src/app/routes/app/users.tsx']],
      ['/settings', ['src/Settings.tsx']],
    ]);
    // A parameter stays a parameter; a path built by an expression is not read as its first string.
    expect(result.unrouted).toEqual([
      {
        file: 'src/app/routes/app/user.tsx',
        why: 'its route /app/users/:id has a parameter: no concrete URL to open',
      },
      { file: 'src/app/routes/app/report.tsx', why: 'no route found' },
    ]);
  });

  it('React Router: a splat route is a page at its prefix, unless that prefix has a route (then it is the not-found page)', async () => {
    const root = await app(
      { react: '17.0.2', 'react-router-dom': '6.8.2' },
      {
        'src/index.js': `import { HashRouter, Route, Routes } from "react-router-dom";
import { App } from "./todo/app";
render(<HashRouter><Routes><Route path="*" element={<App />} /></Routes></HashRouter>, root);`,
        'src/todo/app.jsx': 'import { Main } from "./components/main";',
        'src/todo/components/main.jsx': 'export function Main() {}',
        'src/site.tsx': `import { createHashRouter } from 'react-router-dom';
export const router = createHashRouter([
  { path: '/docs', lazy: () => import('./Docs') },
  { path: '/docs/*', lazy: () => import('./DocsNotFound') },
  { path: '/blog/*', lazy: () => import('./Blog') },
]);`,
        'src/Docs.tsx': 'export default 1',
        'src/DocsNotFound.tsx': 'export default 1',
        'src/Blog.tsx': 'export default 1',
      },
    );
    const result = routesFromDiff(root, '', [
      'src/todo/components/main.jsx',
      'src/DocsNotFound.tsx',
      'src/Blog.tsx',
    ]);
    expect(result.routes.map((r) => [r.path, r.why])).toEqual([
      ['/', 'src/todo/components/main.jsx, used by src/todo/app.jsx'],
      ['/#/blog', 'src/Blog.tsx (React with React Router)'],
    ]);
    expect(result.unrouted).toEqual([
      { file: 'src/DocsNotFound.tsx', why: 'its route /docs/* has a parameter: no concrete URL to open' },
    ]);
  });

  it('a component of a file-routed app leads to the pages that import it', async () => {
    const root = await app(
      { next: '15.0.0' },
      {
        'app/layout.tsx': "import { SiteHeader } from '@/components/site-header'",
        'app/pricing/page.tsx': "import Table from '../../components/price-table'",
        'components/site-header.tsx': "import { MainNav } from './main-nav'",
        'components/main-nav.tsx': 'export const MainNav = 1',
        'components/price-table.tsx': 'export default 1',
      },
    );
    const result = routesFromDiff(root, '', ['components/main-nav.tsx', 'components/price-table.tsx']);
    expect(result.routes.map((r) => [r.path, r.why])).toEqual([
      ['/', 'components/main-nav.tsx, used by app/layout.tsx'],
      ['/pricing', 'components/price-table.tsx, used by app/pricing/page.tsx'],
    ]);
  });

  it('only looks inside the app folder; tests, stories and configs say nothing', async () => {
    const root = await app({ next: '15.0.0' });
    const result = routesFromDiff(root, 'apps/web', [
      'apps/web/pages/a.tsx',
      'apps/docs/pages/b.tsx',
      'apps/web/pages/a.test.tsx',
      'apps/web/next.config.js',
      'apps\\web\\pages\\c.tsx',
    ]);
    expect(result.routes.map((r) => r.path)).toEqual(['/a', '/c']);
    expect(result.unrouted).toEqual([]);
  });
});
