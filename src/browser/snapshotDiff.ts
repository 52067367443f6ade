// What the agent sees of a page: Playwright's AI snapshot (`page.ariaSnapshot({ mode: 'ai' })`), kept small.
//
// Observation size is the cost driver of a browser agent: every step's tool result stays in the conversation
// and is re-read on every later step. So after an action the agent gets only what changed: refs are stable
// for the life of a document (the same element keeps its `[ref=eN]` from one snapshot to the next), which
// makes a diff by ref exact. Unchanged subtrees collapse to one line naming them (their refs stay usable),
// removed elements are named, and a new document (refs get a new prefix, `f1e1`) is shown whole.
// Whole snapshots are bounded too, without losing the page's shape: the tree is opened breadth first while
// the budget lasts, and what does not fit stays one line that names the headings and controls inside it
// (with refs, so the agent can act on them or ask for that part whole). Long runs of siblings (a list of
// 80 rows) keep their first rows and a count, long texts are cut, and a hard cap is the last resort.
//
// Pure text in, text out: unit-testable without a browser.

import { createHash } from 'node:crypto';
import { clip } from '../clip.js';

export interface SnapshotNode {
  /** The line without its indentation and leading "- " (e.g. `button "Save" [ref=e5]`, `text: Hello`). */
  line: string;
  ref?: string;
  children: SnapshotNode[];
  /** Hash of the line and the whole subtree: equal hashes = identical subtrees. */
  hash: string;
}

export interface SnapshotTree {
  roots: SnapshotNode[];
  byRef: Map<string, SnapshotNode>;
  /** Characters of the snapshot text this tree was parsed from. */
  chars: number;
}

export interface RenderLimits {
  /** Cap on the rendered text, in characters (a note of what was cut is added). */
  maxChars: number;
  /** Siblings shown before a long run is collapsed into a count. */
  maxSiblings: number;
  /** Longest line shown; longer texts end in "…". */
  maxLineChars: number;
}

export interface RenderedSnapshot {
  text: string;
  /** True when anything was left out (collapsed runs, cut lines, the size cap). */
  trimmed: boolean;
}

export const FULL_LIMITS: RenderLimits = { maxChars: 12_000, maxSiblings: 12, maxLineChars: 200 };
export const DIFF_LIMITS: RenderLimits = { maxChars: 6_000, maxSiblings: 12, maxLineChars: 200 };
/**
 * A part of the page asked for by ref: no sibling collapsing within it, longer lines; the same cap as a
 * whole page (a part too big for it opens breadth first, its own parts as outlines to expand in turn).
 */
export const PART_LIMITS: RenderLimits = { maxChars: 12_000, maxSiblings: 500, maxLineChars: 400 };

const REF = /\[ref=([a-z0-9]+)\]/;
const HEAD_CHARS = 60;

export function parseSnapshot(text: string): SnapshotTree {
  const roots: SnapshotNode[] = [];
  const byRef = new Map<string, SnapshotNode>();
  // Stack of (indent, node) for the open ancestors of the next line.
  const stack: { indent: number; node: SnapshotNode }[] = [];
  let last: SnapshotNode | undefined;
  for (const raw of text.split('\n')) {
    const m = /^(\s*)- (.*)$/.exec(raw);
    if (!m) {
      // A continuation of the previous line (a wrapped scalar): keep it with that node.
      if (last && raw.trim()) last.line += ` ${raw.trim()}`;
      continue;
    }
    const indent = m[1]!.length;
    const line = m[2]!;
    const ref = REF.exec(line)?.[1];
    const node: SnapshotNode = { line, children: [], hash: '', ...(ref ? { ref } : {}) };
    while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parent = stack[stack.length - 1]?.node;
    (parent ? parent.children : roots).push(node);
    stack.push({ indent, node });
    if (ref) byRef.set(ref, node);
    last = node;
  }
  for (const root of roots) hashTree(root);
  return { roots, byRef, chars: text.length };
}

function hashTree(node: SnapshotNode): string {
  const h = createHash('sha1').update(node.line);
  for (const child of node.children) h.update('\0').update(hashTree(child));
  node.hash = h.digest('base64');
  return node.hash;
}

/** The whole snapshot, fitted to the limits (see `fitLines`). */
export function renderFull(tree: SnapshotTree, limits: RenderLimits = FULL_LIMITS): RenderedSnapshot {
  const out = new Output(limits);
  out.fit(tree.roots, 0, limits.maxChars);
  return out.finish('snapshot');
}

/** One element and what is inside it (the agent asks for a part of the page that was collapsed). */
export function renderPart(
  tree: SnapshotTree,
  ref: string,
  limits: RenderLimits = PART_LIMITS,
): RenderedSnapshot | null {
  const node = tree.byRef.get(ref);
  if (!node) return null;
  const out = new Output(limits);
  out.fit([node], 0, limits.maxChars);
  return out.finish('part of the snapshot');
}

/**
 * What changed from `before` to `after` (two snapshots of the same document): the changed elements with
 * their ancestors, unchanged siblings collapsed into one line, removed elements named. `changed` is false
 * when the two are identical.
 */
export function renderDiff(
  before: SnapshotTree,
  after: SnapshotTree,
  limits: RenderLimits = DIFF_LIMITS,
): RenderedSnapshot & { changed: boolean } {
  const out = new Output(limits);
  const unchanged = (node: SnapshotNode) =>
    node.ref !== undefined && before.byRef.get(node.ref)?.hash === node.hash;
  const sameRoots =
    before.roots.length === after.roots.length &&
    before.roots.every((r, i) => r.hash === after.roots[i]?.hash);
  if (sameRoots) return { text: '', trimmed: false, changed: false };

  const visit = (node: SnapshotNode, depth: number, old: SnapshotNode | undefined) => {
    if (!out.line(depth, node.line)) return;
    if (!old) {
      // New element: all of it is news, fitted into half of what is left.
      out.fit(node.children, depth + 1, Math.max(500, (limits.maxChars - out.size) / 2));
      return;
    }
    renderSiblingRun(node.children, depth + 1, out, unchanged, (child, d) =>
      visit(child, d, child.ref !== undefined ? before.byRef.get(child.ref) : matchByLine(old, child)),
    );
    const gone = old.children.filter((c) => c.ref !== undefined && !after.byRef.has(c.ref));
    if (gone.length) out.line(depth + 1, `(removed) ${describeRun(gone)}`);
  };
  const rootsBefore = { line: '', children: before.roots, hash: '' } as SnapshotNode;
  renderSiblingRun(after.roots, 0, out, unchanged, (node, d) =>
    visit(node, d, node.ref !== undefined ? before.byRef.get(node.ref) : matchByLine(rootsBefore, node)),
  );
  const gone = before.roots.filter((c) => c.ref !== undefined && !after.byRef.has(c.ref));
  if (gone.length) out.line(0, `(removed) ${describeRun(gone)}`);
  return { ...out.finish('changes'), changed: true };
}

/** A node without a ref (text, a list that lost its ref) is matched to the old sibling with the same line. */
function matchByLine(oldParent: SnapshotNode, node: SnapshotNode): SnapshotNode | undefined {
  return oldParent.children.find((c) => c.ref === undefined && c.line === node.line);
}

/**
 * Children of a node that is itself shown in a diff: runs of unchanged siblings become one line; changed
 * ones are visited.
 */
function renderSiblingRun(
  children: SnapshotNode[],
  depth: number,
  out: Output,
  unchanged: (node: SnapshotNode) => boolean,
  visit: (node: SnapshotNode, depth: number) => void,
): void {
  let run: SnapshotNode[] = [];
  const flush = () => {
    if (run.length) out.line(depth, `(unchanged) ${describeRun(run)}`);
    run = [];
  };
  for (const child of children) {
    if (out.full) return;
    if (unchanged(child)) {
      run.push(child);
      continue;
    }
    flush();
    visit(child, depth);
  }
  flush();
}

/** "(33 heading, 4 generic)": a run of siblings counted by role. */
function roleCounts(nodes: SnapshotNode[]): string {
  const roles = new Map<string, number>();
  for (const n of nodes) {
    const role = /^[\w/-]+/.exec(n.line.replace(/^'/, ''))?.[0] ?? 'element';
    roles.set(role, (roles.get(role) ?? 0) + 1);
  }
  return `(${[...roles].map(([role, n]) => (n > 1 ? `${n} ${role}` : role)).join(', ')})`;
}

/** `heading "Team notes" [ref=e15], region "Add a note" [ref=e16]`, or a count by role for long runs. */
export function describeRun(nodes: SnapshotNode[]): string {
  if (nodes.length <= 3) return nodes.map(head).join(', ');
  const counts = roleCounts(nodes).slice(1, -1);
  const refs = nodes.filter((n) => n.ref).map((n) => n.ref);
  const range = refs.length ? ` [refs ${refs[0]}…${refs[refs.length - 1]}]` : '';
  return `${nodes.length} elements (${counts})${range}`;
}

/** Lines of a node's subtree, itself included. */
const sizes = new WeakMap<SnapshotNode, number>();
function lineCount(node: SnapshotNode): number {
  let n = sizes.get(node);
  if (n === undefined) {
    n = 1 + node.children.reduce((sum, c) => sum + lineCount(c), 0);
    sizes.set(node, n);
  }
  return n;
}

/** Not worth an outline: a leaf, or a link and its URL. */
function isSmall(node: SnapshotNode): boolean {
  return lineCount(node) <= 3;
}

// What an outline names of what it hides, most telling first: headings (higher levels first), named
// landmarks, named controls, named containers — a name of its own before one repeated in every row
// ("Show response schema" ×80, named once) — as many as fit in OUTLINE_NAMES_CHARS, then "+N more".
const HEADING = /^heading "/;
const LANDMARK =
  /^(region|navigation|main|form|search|complementary|banner|contentinfo|dialog|alertdialog|tabpanel) "/;
const CONTROL =
  /^(button|link|textbox|searchbox|combobox|checkbox|radio|switch|slider|spinbutton|tab|menuitem|menuitemcheckbox|menuitemradio|option|treeitem|alert) "/;
// Named containers (a table's caption, a row's name): after the controls.
const CONTAINER = /^(group|list|listitem|table|grid|row|tree|menu|tablist|article) "/;
const NAMED = /^([a-z]+) "((?:[^"\\]|\\.)*)"/;
export const OUTLINE_NAMES_CHARS = 300;

/** `heading "Users" [ref=e5], button "Try" [ref=e9] ×10, +12 more` for what is in `nodes` (and below). */
export function namesInside(nodes: SnapshotNode[], budget = OUTLINE_NAMES_CHARS): string {
  const entries = new Map<string, { rank: number; order: number; label: string; count: number }>();
  let order = 0;
  const walk = (n: SnapshotNode) => {
    // YAML quotes a line with special characters ('heading "GET /v3/users/{id}" [ref=e5]').
    const line = n.line.replace(/^'/, '');
    const m = NAMED.exec(line);
    if (m && n.ref) {
      const key = m[0];
      const seen = entries.get(key);
      if (seen) seen.count++;
      else {
        const level = Number(/\[level=(\d)\]/.exec(line)?.[1] ?? 6);
        const rank = HEADING.test(line)
          ? level
          : LANDMARK.test(line)
            ? 20
            : CONTROL.test(line)
              ? 40
              : CONTAINER.test(line)
                ? 60
                : -1;
        if (rank >= 0)
          entries.set(key, { rank, order: order++, label: `${clipName(key)} [ref=${n.ref}]`, count: 1 });
      }
    }
    for (const c of n.children) walk(c);
  };
  for (const n of nodes) walk(n);
  const sorted = [...entries.values()].sort(
    (a, b) => a.rank + (a.count > 1 ? 10 : 0) - (b.rank + (b.count > 1 ? 10 : 0)) || a.order - b.order,
  );
  const shown: string[] = [];
  let used = 0;
  for (const e of sorted) {
    const label = e.count > 1 ? `${e.label} ×${e.count}` : e.label;
    if (used + label.length + 2 > budget && shown.length > 0) break;
    shown.push(label);
    used += label.length + 2;
  }
  const more = sorted.length - shown.length;
  return [...shown, ...(more ? [`+${more} more`] : [])].join(', ');
}

/** A long name in an outline: its start is enough to recognise it (browser_find has it whole). */
function clipName(key: string): string {
  // A quoted name stays quoted: the closing quote after the cut.
  return key.length > HEAD_CHARS ? `${clip(key, HEAD_CHARS - 1)}"` : key;
}

/** `article [ref=e171] … 23 lines inside: heading "GET /v3/users" [ref=e172], button "Try" [ref=e192]`. */
function outline(node: SnapshotNode): string {
  const inside = lineCount(node) - 1;
  const names = namesInside(node.children);
  return `${node.line.replace(/:$/, '')} … ${inside} lines inside${names ? `: ${names}` : ''}`;
}

/** The first line of a node, short: role, name, ref; its inline text cut. */
function head(node: SnapshotNode): string {
  // Without YAML's quotes around a line with special characters ('heading "GET /a/{id}" [ref=e5]').
  const line = node.line.replace(/:$/, '').replace(/^'(.*)'$/, '$1');
  return clip(line, HEAD_CHARS);
}

/** Accumulates lines up to the caps, and says at the end what it left out. */
class Output {
  private readonly lines: string[] = [];
  private chars = 0;
  collapsed = 0;
  private cutTexts = 0;
  full = false;

  private outlined = 0;

  constructor(readonly limits: RenderLimits) {}

  get size(): number {
    return this.chars;
  }

  /**
   * Render `nodes` (at `depth`) within `budget` characters, breadth first: every node starts as one line
   * (an outline naming what is inside it, with refs), and nodes are opened level by level, in page order,
   * while the budget lasts. So a heavy page shows its whole structure — every region, every section — with
   * detail where it fits, instead of the first screens in full and nothing of the rest. Small subtrees
   * (a link and its URL) are shown whole; long runs of siblings keep their first rows and a count.
   */
  fit(nodes: SnapshotNode[], depth: number, budget: number): void {
    const { maxSiblings } = this.limits;
    const opened = new Set<SnapshotNode>();
    const shown = (node: SnapshotNode) =>
      node.children.length > maxSiblings + 2 ? node.children.slice(0, maxSiblings) : node.children;
    const restLine = (node: SnapshotNode) => {
      if (node.children.length <= maxSiblings + 2) return null;
      const rest = node.children.slice(maxSiblings);
      const names = namesInside(rest);
      const how = node.ref ? ` (all of them: browser_snapshot ref=${node.ref})` : '';
      return `… ${rest.length} more ${roleCounts(rest)}${how}${names ? `: ${names}` : ''}`;
    };
    // Outlines and "… N more" lines bound themselves (OUTLINE_NAMES_CHARS): never cut.
    const lineCost = (d: number, text: string, uncut = false) =>
      d * 2 + 3 + (uncut ? text.length : Math.min(text.length, this.limits.maxLineChars));
    const closedCost = (node: SnapshotNode, d: number): number =>
      isSmall(node) ? wholeCost(node, d) : lineCost(d, outline(node), true);
    const wholeCost = (node: SnapshotNode, d: number): number =>
      lineCost(d, node.line) + node.children.reduce((sum, c) => sum + wholeCost(c, d + 1), 0);
    const openCost = (node: SnapshotNode, d: number): number => {
      const rest = restLine(node);
      return (
        lineCost(d, node.line) +
        shown(node).reduce((sum, c) => sum + closedCost(c, d + 1), 0) +
        (rest ? lineCost(d + 1, rest, true) : 0)
      );
    };

    let total = nodes.reduce((sum, n) => sum + closedCost(n, depth), 0);
    const queue: { node: SnapshotNode; depth: number }[] = nodes
      .filter((n) => !isSmall(n))
      .map((node) => ({ node, depth }));
    for (let i = 0; i < queue.length; i++) {
      const { node, depth: d } = queue[i]!;
      const delta = openCost(node, d) - closedCost(node, d);
      if (total + delta > budget) continue;
      total += delta;
      opened.add(node);
      for (const child of shown(node)) if (!isSmall(child)) queue.push({ node: child, depth: d + 1 });
    }

    const render = (node: SnapshotNode, d: number): void => {
      if (this.full) return;
      if (isSmall(node)) {
        this.line(d, node.line);
        for (const child of node.children) render(child, d + 1);
        return;
      }
      if (!opened.has(node)) {
        this.outlined++;
        this.line(d, outline(node), true);
        return;
      }
      this.line(d, node.line);
      for (const child of shown(node)) render(child, d + 1);
      const rest = restLine(node);
      if (rest) {
        this.collapsed++;
        this.line(d + 1, rest, true);
      }
    };
    for (const node of nodes) render(node, depth);
  }

  /** Adds a line; false once the cap is reached (the caller stops descending). */
  line(depth: number, text: string, uncut = false): boolean {
    if (this.full) return false;
    let body = text;
    if (!uncut && body.length > this.limits.maxLineChars) {
      body = clip(body, this.limits.maxLineChars);
      this.cutTexts++;
    }
    const line = `${'  '.repeat(depth)}- ${body}`;
    if (this.chars + line.length + 1 > this.limits.maxChars) {
      this.full = true;
      return false;
    }
    this.lines.push(line);
    this.chars += line.length + 1;
    return true;
  }

  finish(what: string): RenderedSnapshot {
    const notes: string[] = [];
    if (this.outlined) {
      notes.push(
        `[${this.outlined} part(s) shown as one line ("… N lines inside: …"): use browser_snapshot with a ref to see one whole, or browser_find to search the whole page]`,
      );
    }
    if (this.full) {
      notes.push(
        `[${what} cut at ${this.limits.maxChars} characters: the rest of the page is not shown. ` +
          'Use browser_snapshot with the ref of a container to see a part of it.]',
      );
    }
    if (this.cutTexts)
      notes.push(`[${this.cutTexts} long text(s) cut at ${this.limits.maxLineChars} characters]`);
    return {
      text: [...this.lines, ...notes].join('\n'),
      trimmed: this.full || this.cutTexts > 0 || this.collapsed > 0 || this.outlined > 0,
    };
  }
}
