import { describe, expect, it } from 'vitest';
import { routesFromChangedFiles } from '../../src/app/routesFromDiff.js';

describe('routesFromChangedFiles', () => {
  const cases: Array<[file: string, route: string | null]> = [
    // static files
    ['public/about.html', '/about.html'],
    ['public/index.html', '/'],
    ['public/docs/index.html', '/docs/'],
    ['contact.html', '/contact.html'],
    ['index.html', '/'],
    ['guide/index.html', '/guide/'],
    ['dist/index.html', null],
    ['src/template.html', null],
    // Next.js pages router (also Nuxt and Astro)
    ['pages/about.tsx', '/about'],
    ['pages/index.tsx', '/'],
    ['pages/blog/index.jsx', '/blog'],
    ['src/pages/pricing.astro', '/pricing'],
    ['pages/settings/profile.vue', '/settings/profile'],
    ['pages/_app.tsx', null],
    ['pages/api/users.ts', null],
    ['pages/posts/[id].tsx', null],
    ['pages/docs/[...slug].tsx', null],
    // Next.js app router
    ['app/page.tsx', '/'],
    ['app/dashboard/page.tsx', '/dashboard'],
    ['src/app/settings/layout.tsx', '/settings'],
    ['app/(marketing)/pricing/page.tsx', '/pricing'],
    ['app/users/[id]/page.tsx', null],
    ['app/api/route.ts', null],
    ['app/_components/button.tsx', null],
    // SvelteKit
    ['src/routes/+page.svelte', '/'],
    ['src/routes/about/+page.svelte', '/about'],
    ['src/routes/blog/+page.server.ts', '/blog'],
    ['src/routes/items/[id]/+page.svelte', null],
    ['src/routes/api/+server.ts', null],
    // tests, configs and plain sources say nothing about routes
    ['pages/about.test.tsx', null],
    ['tests/pages/about.tsx', null],
    ['next.config.js', null],
    ['src/components/Button.tsx', null],
    ['package.json', null],
  ];
  for (const [file, route] of cases) {
    it(`${file} → ${route ?? 'nothing'}`, () => {
      expect(routesFromChangedFiles([file], '')).toEqual(route === null ? [] : [route]);
    });
  }

  it('only looks inside the app folder and strips it', () => {
    const files = [
      'apps/web/pages/a.tsx',
      'apps/docs/pages/b.tsx',
      'apps/web-old/pages/c.tsx',
      'apps/web/public/x.html',
    ];
    expect(routesFromChangedFiles(files, 'apps/web')).toEqual(['/a', '/x.html']);
  });

  it('deduplicates and keeps the order of the diff', () => {
    const files = ['app/b/page.tsx', 'app/a/page.tsx', 'app/b/layout.tsx', 'app/b/loading.tsx'];
    expect(routesFromChangedFiles(files, '')).toEqual(['/b', '/a']);
  });

  it('accepts Windows separators', () => {
    expect(routesFromChangedFiles(['apps\\web\\pages\\x.tsx'], 'apps/web')).toEqual(['/x']);
  });
});
