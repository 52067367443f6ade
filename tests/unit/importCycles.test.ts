// The folders of src/ form layers (docs/ARCHITECTURE.md, "Layers"): no file imports one that imports it
// back, directly or around a loop, and no folder does. Built from the sources, type imports included.

import { describe, expect, it } from 'vitest';
import { cycles, folderGraph, folderOf, importGraph } from '../helpers/sourceGraph.js';

/**
 * Imports that still go against the layers, each with why it is left; remove an entry with the import.
 * The test fails when one of them is gone (so this list only shrinks) and on any cycle not made by them.
 */
const knownUpwardImports: Record<string, string> = {
  // A tool's handle() gets the tab, and the tab runs tools (it opens on navigate): one seam of the agent's tools.
  'browser/agentTools/tool.ts -> browser/agentTab.ts': 'the tool contract names the tab type',
  // doctor's trial run of the sandbox starts a tiny app with the app layer's process helpers.
  'sandbox/selfTest.ts -> app/childEnv.ts': "doctor's sandbox self-test",
  'sandbox/selfTest.ts -> app/processGroup.ts': "doctor's sandbox self-test",
  'sandbox/selfTest.ts -> app/readiness.ts': "doctor's sandbox self-test",
  // The machine mapping of a job row (MCP structuredContent, --json) reads the stored row type.
  'report/machine.ts -> jobs/store.ts': 'JobRecord lives with the history',
};

function graphWithoutKnown(): Map<string, string[]> {
  const graph = importGraph();
  return new Map(
    [...graph].map(([from, targets]) => [
      from,
      targets.filter((to) => !(`${from} -> ${to}` in knownUpwardImports)),
    ]),
  );
}

describe('import graph of src/', () => {
  it('finds the imports a file makes (static, type-only, re-exports and lazy import())', () => {
    const graph = importGraph();
    expect(graph.get('cli/main.ts')).toEqual(
      expect.arrayContaining(['deps.ts', 'errors.ts', 'cli/commands/simulate.ts']),
    );
    expect(graph.get('jobs/request.ts')).toEqual(expect.arrayContaining(['trust/consent.ts'])); // import type
    expect(graph.size).toBeGreaterThan(150);
  });

  it('detects a cycle when there is one (the check itself can fail)', () => {
    const planted = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(planted)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(
      cycles(
        folderGraph(
          new Map([
            ['x/a.ts', ['y/b.ts']],
            ['y/b.ts', ['x/c.ts']],
            ['x/c.ts', []],
          ]),
        ),
      ),
    ).toEqual([['x/', 'y/']]);
  });

  it('has no cycle between files', () => {
    expect(cycles(graphWithoutKnown())).toEqual([]);
  });

  it('has no cycle between folders', () => {
    const graph = folderGraph(graphWithoutKnown());
    const found = cycles(graph);
    // Name the imports behind each cycle, so a failure says which one to move.
    const behind = found.map((cycle) =>
      [...graphWithoutKnown()]
        .flatMap(([from, targets]) => targets.map((to) => [from, to] as const))
        .filter(
          ([from, to]) =>
            folderOf(from) !== folderOf(to) && cycle.includes(folderOf(from)) && cycle.includes(folderOf(to)),
        )
        .map(([from, to]) => `${from} -> ${to}`),
    );
    expect(behind).toEqual([]);
  });

  it('lists only upward imports that still exist', () => {
    const graph = importGraph();
    const gone = Object.keys(knownUpwardImports).filter((edge) => {
      const [from, to] = edge.split(' -> ') as [string, string];
      return !graph.get(from)?.includes(to);
    });
    expect(gone).toEqual([]);
  });
});
