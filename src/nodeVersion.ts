// Is this Node.js one package.json's `engines.node` allows, and if not, the one line that says so. Used by
// the Node check every entry runs first (nodeGuard.ts), so it is written for old Nodes too: no imports,
// nothing newer than the syntax esbuild lowers for node12 (scripts/build.js builds it on its own).
//
// The floor is real: better-sqlite3's binding declares Node-API 10, which Node.js has from 22.14.0 on the
// 22 line and from 23.6.0; an older Node (Node-API 9) segfaults on the first `new Database()` instead
// of throwing (its napi_module_register_by_symbol uses the null env it gets after reporting the version).

type Version = [number, number, number];
type Comparator = { op: '>=' | '>' | '<=' | '<' | '='; version: Version };

/** "v22.14.0", "22.14", "23.6.0-nightly2025…" → [22, 14, 0]; null when it is not a version. */
export function parseVersion(text: string): Version | null {
  const m = /^\s*[v=]?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+][0-9A-Za-z.+-]*)?\s*$/.exec(text);
  if (!m) return null;
  const part = (s: string | undefined) => (s === undefined || !/^\d+$/.test(s) ? 0 : Number(s));
  return [Number(m[1]), part(m[2]), part(m[3])];
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** One comparator of a range ("^22.14.0", ">=23.6", "22") as plain bounds; throws on what it does not know. */
function comparators(token: string): Comparator[] {
  const m = /^(\^|~|>=|<=|>|<|=)?\s*(.+)$/.exec(token);
  const version = m ? parseVersion(m[2] as string) : null;
  if (!m || !version) throw new Error(`unsupported engines comparator: ${token}`);
  const [major, minor] = version;
  const op = m[1];
  if (op === '^')
    return [
      { op: '>=', version },
      { op: '<', version: [major + 1, 0, 0] },
    ];
  if (op === '~')
    return [
      { op: '>=', version },
      { op: '<', version: [major, minor + 1, 0] },
    ];
  if (op === undefined) {
    // A bare "22" or "22.14" means that line: 22.x.x, 22.14.x.
    const given = (m[2] as string)
      .replace(/^[v=]/, '')
      .split('.')
      .filter((p) => /^\d+$/.test(p)).length;
    if (given === 1)
      return [
        { op: '>=', version },
        { op: '<', version: [major + 1, 0, 0] },
      ];
    if (given === 2)
      return [
        { op: '>=', version },
        { op: '<', version: [major, minor + 1, 0] },
      ];
    return [{ op: '=', version }];
  }
  return [{ op: op as Comparator['op'], version }];
}

/** The range as alternatives (`||`), each a list of comparators that must all hold. */
function parseRange(range: string): Comparator[][] {
  return range.split('||').map((set) => {
    // ">= 22.14" is one comparator: join an operator to the version after it.
    const tokens = set
      .trim()
      .replace(/(\^|~|>=|<=|>|<|=)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean);
    if (tokens.length === 0) throw new Error(`empty engines range: ${range}`);
    return tokens.flatMap(comparators);
  });
}

function holds(version: Version, c: Comparator): boolean {
  const d = compare(version, c.version);
  if (c.op === '>=') return d >= 0;
  if (c.op === '>') return d > 0;
  if (c.op === '<=') return d <= 0;
  if (c.op === '<') return d < 0;
  return d === 0;
}

/**
 * Does `version` (process.version) satisfy `range` (engines.node: `>=`, `>`, `<`, `<=`, `=`, `^`, `~`,
 * bare versions, space for "and", `||` for "or")? A prerelease counts as its release. Throws when either
 * cannot be read.
 */
export function satisfiesRange(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (!v) throw new Error(`not a version: ${version}`);
  return parseRange(range).some((set) => set.every((c) => holds(v, c)));
}

/** The lowest version the range allows, as people say it ("Node.js 22.14 or newer"). */
function lowest(range: string): string {
  let floor: Version | undefined;
  for (const set of parseRange(range)) {
    const bounds = set.filter((c) => c.op !== '<' && c.op !== '<=').map((c) => c.version);
    const setFloor = bounds.sort(compare).pop();
    if (!setFloor) return `Node.js ${range}`;
    if (!floor || compare(setFloor, floor) < 0) floor = setFloor;
  }
  if (!floor) return `Node.js ${range}`;
  const [major, minor, patch] = floor;
  return `Node.js ${major}.${minor}${patch ? `.${patch}` : ''} or newer`;
}

/**
 * null when this Node can run us; otherwise the one line to print: what is needed, what this is (and
 * where), and what to do. An engines value it cannot read never blocks (the unit test reads ours).
 */
export function unsupportedNodeMessage(version: string, execPath: string, range: string): string | null {
  let needed: string;
  try {
    if (satisfiesRange(version, range)) return null;
    needed = lowest(range);
  } catch {
    return null;
  }
  const exact = range.includes('||') ? ` (${range})` : '';
  return (
    `myfav-coworker needs ${needed}${exact}, but this is Node.js ${version} (${execPath}). ` +
    'Install Node.js 24 LTS (https://nodejs.org, or `nvm install 24`) and run it with that Node, ' +
    'or let npx fetch one: npx -p node@24 -p myfav-coworker myfav-coworker <command>'
  );
}
