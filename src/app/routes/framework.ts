// Which routing convention an app follows, read from its package.json: the rules that turn a changed
// file into a URL differ per framework (`app/routes/x.tsx` is a page in Remix, a plain component in a
// React Router SPA), so guessing with the wrong framework's rule visits pages that do not exist.

import type { PackageJson } from '../packageJson.js';

export type Framework =
  | 'next'
  | 'remix'
  | 'sveltekit'
  | 'nuxt'
  | 'astro'
  | 'vue-router'
  | 'react-router'
  | 'none';

export const frameworkLabel: Record<Framework, string> = {
  next: 'Next.js',
  remix: 'Remix / React Router (framework mode)',
  sveltekit: 'SvelteKit',
  nuxt: 'Nuxt',
  astro: 'Astro',
  'vue-router': 'Vue with vue-router',
  'react-router': 'React with React Router',
  none: 'no known router',
};

export function detectFramework(pkg: PackageJson | undefined): Framework {
  const deps = new Set(
    [pkg?.dependencies, pkg?.devDependencies, pkg?.peerDependencies, pkg?.optionalDependencies].flatMap(
      (d) => (d && typeof d === 'object' ? Object.keys(d) : []),
    ),
  );
  const has = (name: string) => deps.has(name);
  if (has('next')) return 'next';
  if (has('@react-router/dev') || [...deps].some((d) => d.startsWith('@remix-run/'))) return 'remix';
  if (has('@sveltejs/kit')) return 'sveltekit';
  if (has('nuxt') || has('nuxt3')) return 'nuxt';
  if (has('astro')) return 'astro';
  if (has('vue-router')) return 'vue-router';
  if (has('react-router') || has('react-router-dom')) return 'react-router';
  return 'none';
}
