// browser_find: search the whole current snapshot — names, texts, placeholders, link targets — and
// answer with the matching elements, their refs and the headings they sit under, so the model can go
// straight to what it needs on a page it only saw in outline. Pure text in, text out.

import { clip } from '../clip.js';
import type { SnapshotNode, SnapshotTree } from './snapshotDiff.js';

export interface FindLimits {
  maxMatches: number;
  maxChars: number;
  maxLineChars: number;
}

export const FIND_LIMITS: FindLimits = { maxMatches: 20, maxChars: 4_000, maxLineChars: 200 };

// Attributes that say nothing a model searches for.
const NOISE = /\s*\[(ref=[a-z0-9]+|cursor=\w+|active|level=\d)\]/g;

interface Match {
  node: SnapshotNode;
  /** The matching line when it is not the element's own (a text inside it). */
  via?: string;
  under: string[];
}

export function findInTree(
  tree: SnapshotTree,
  query: string,
  role: string | undefined,
  limits: FindLimits = FIND_LIMITS,
): { text: string; matches: number } {
  const needle = normalize(query);
  const wantRole = role?.trim().toLowerCase();
  const matches: Match[] = [];
  const reported = new Set<SnapshotNode>();
  const underOf = new Map<SnapshotNode, string[]>();

  // `path`: the ancestors of `node`, outermost first; `under`: the headings over it so far.
  const visit = (node: SnapshotNode, path: SnapshotNode[], under: string[]) => {
    underOf.set(node, under);
    const props = node.children.filter((c) => c.line.startsWith('/'));
    const own = [node.line, ...props.map((p) => p.line)].join(' ').replace(NOISE, '');
    if (normalize(own).includes(needle)) {
      // A line without a ref (a text, a list without a role) is reported as the element it is in.
      const element = node.ref ? node : [...path].reverse().find((a) => a.ref);
      if (element && !reported.has(element) && roleOf(element) !== undefined) {
        if (!wantRole || roleOf(element) === wantRole) {
          reported.add(element);
          matches.push({
            node: element,
            ...(element === node ? {} : { via: node.line }),
            under: underOf.get(element) ?? under,
          });
        }
      }
    }
    visitSiblings(node.children, [...path, node], under);
  };
  // A heading names the siblings after it (a section's content follows its title), down to the next
  // heading of the same or a higher level.
  const visitSiblings = (nodes: SnapshotNode[], path: SnapshotNode[], under: string[]) => {
    let local: { level: number; label: string }[] = [];
    for (const child of nodes) {
      if (child.line.startsWith('/')) continue;
      visit(child, path, [...under, ...local.map((h) => h.label)]);
      if (isHeading(child)) {
        const level = Number(/\[level=(\d)\]/.exec(child.line)?.[1] ?? 6);
        local = [...local.filter((h) => h.level < level), { level, label: label(child) }];
      }
    }
  };
  visitSiblings(tree.roots, [], []);

  const total = matches.length;
  if (total === 0) {
    return {
      text: `Nothing on the page matches ${JSON.stringify(query)}${wantRole ? ` with role ${wantRole}` : ''}. Try another word (or none for role), or browser_snapshot.`,
      matches: 0,
    };
  }
  const lines: string[] = [];
  let chars = 0;
  for (const m of matches.slice(0, limits.maxMatches)) {
    // The nearest two headings say where it is; the page's title above everything says nothing.
    const where = m.under.length ? ` — under ${m.under.slice(-2).join(' › ')}` : '';
    const via = m.via ? ` (contains: ${clip(m.via, 80)})` : '';
    const own = m.node.line
      .replace(/^'(.*)'$/, '$1')
      .replace(/\s*\[cursor=\w+\]/g, '')
      .replace(/:$/, '');
    const line = `- ${clip(own, limits.maxLineChars)}${via}${where}`;
    if (chars + line.length + 1 > limits.maxChars) break;
    lines.push(line);
    chars += line.length + 1;
  }
  const more = total - lines.length;
  return {
    text: [
      `${total} element(s) on the page match ${JSON.stringify(query)}${wantRole ? ` with role ${wantRole}` : ''}${more ? ` (the first ${lines.length} shown: narrow the text or give a role)` : ''}:`,
      ...lines,
    ].join('\n'),
    matches: total,
  };
}

function roleOf(node: SnapshotNode): string | undefined {
  return /^[a-z]+/.exec(node.line.replace(/^'/, ''))?.[0];
}

function isHeading(node: SnapshotNode): boolean {
  return /^'?heading\b/.test(node.line);
}

function label(node: SnapshotNode): string {
  return clip(
    node.line
      .replace(/^'(.*)'$/, '$1')
      .replace(NOISE, '')
      .replace(/:$/, ''),
    80,
  );
}

function normalize(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}
