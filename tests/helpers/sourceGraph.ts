// The import graph of src/, read from the sources (TypeScript 7's native compiler has no JS API, and
// esbuild drops type-only imports): static imports, `export … from`, `import type` and lazy `import()`.
// A type-only import still ties two files together, and a lazy one is still a dependency.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const srcDir = path.resolve(import.meta.dirname, '../../src');

/** Every .ts file under src/, as paths relative to src/ ("jobs/store.ts"). */
export function sourceFiles(): string[] {
  return (readdirSync(srcDir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

/** A file's text without comments (an example in a comment is not an import). */
export function sourceText(file: string): string {
  return readFileSync(path.join(srcDir, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

const importPattern =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** file → the files of src/ it imports (relative specifiers only; packages are not ours). */
export function importGraph(): Map<string, string[]> {
  const files = new Set(sourceFiles());
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = new Set<string>();
    for (const m of sourceText(file).matchAll(importPattern)) {
      const spec = m[1] ?? m[2] ?? '';
      if (!spec.startsWith('.')) continue;
      const target = path.posix.normalize(
        path.posix.join(path.posix.dirname(file), spec.replace(/\.js$/, '.ts')),
      );
      if (files.has(target)) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** The folder a file belongs to for layering: its top folder under src/ ("jobs/"), or itself at the top. */
export const folderOf = (file: string): string => {
  const slash = file.indexOf('/');
  return slash < 0 ? file : file.slice(0, slash + 1);
};

/** The folder graph: an edge wherever a file of one folder imports a file of another. */
export function folderGraph(files: Map<string, string[]>): Map<string, string[]> {
  const graph = new Map<string, Set<string>>();
  for (const [from, targets] of files) {
    const a = folderOf(from);
    if (!graph.has(a)) graph.set(a, new Set());
    for (const to of targets) if (folderOf(to) !== a) graph.get(a)!.add(folderOf(to));
  }
  return new Map([...graph].map(([k, v]) => [k, [...v].sort()]));
}

/** Strongly connected components with more than one node (Tarjan): each is a cycle, or several. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}
