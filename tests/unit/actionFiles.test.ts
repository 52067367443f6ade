// The GitHub Action (action.yml) and the README's example workflow against GitHub's published schemas
// (@action-validator/core, which validates against SchemaStore's schemas), and the composite's wiring:
// the inputs the README promises, each handed to action/run.sh.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/cli.js';

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');
const action = read('action.yml');
const workflow = read('docs/examples/pull-request.yml');

describe('the GitHub Action', () => {
  it('action.yml and the example workflow validate against the schemas', () => {
    expect(validateAction(action).errors).toEqual([]);
    expect(validateWorkflow(workflow).errors).toEqual([]);
    // The validator does catch a broken composite (a run step without its shell).
    expect(validateAction(action.replace(/^ {6}shell: bash\n/m, '')).errors).not.toEqual([]);
  });

  it('has the documented inputs, and hands each to the script through its environment', () => {
    const inputs = [...action.matchAll(/^ {2}([a-z-]+):\n {4}description:/gm)].map((m) => m[1]);
    expect(inputs).toEqual(
      expect.arrayContaining([
        'pr',
        'anthropic-api-key',
        'github-token',
        'app-dir',
        'config',
        'comment',
        'status',
        'compare-base',
      ]),
    );
    expect(action).toMatch(/github-token:\n(?: {4}.*\n)*? {4}default: \$\{\{ github\.token \}\}/);
    const script = read('action/run.sh');
    for (const name of new Set([...script.matchAll(/\bINPUT_[A-Z_]+/g)].map((m) => m[0]))) {
      const input = name.slice('INPUT_'.length).toLowerCase().replace(/_/g, '-');
      expect(action, `${name} is set from inputs.${input}`).toContain(`${name}: \${{ inputs.${input} }}`);
    }
    // Inputs reach the script as data (environment), never spliced into its code.
    const runLines = action.split('\n').filter((l) => /^\s+run: /.test(l));
    for (const line of runLines) expect(line).not.toMatch(/\$\{\{\s*inputs\./);
  });

  it('runs the CLI on Node.js 24, not on whatever Node the runner has', () => {
    type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
    const isSetupNode24 = (step: Step | undefined) =>
      /^actions\/setup-node@v\d+$/.test(step?.uses ?? '') && String(step?.with?.['node-version']) === '24';
    // The composite sets it up itself, right before the step that runs npx (action/run.sh).
    const steps = (parse(action) as { runs: { steps: Step[] } }).runs.steps;
    const cli = steps.findIndex((step) => step.run?.includes('action/run.sh'));
    expect(cli).toBeGreaterThan(0);
    expect(isSetupNode24(steps[cli - 1]), JSON.stringify(steps[cli - 1])).toBe(true);
    // The example workflow and the README's copy of it set it up before the action too.
    const readmeWorkflow = read('README.md').match(/```yaml\n(name: myfav-coworker\n[\s\S]*?)```/)?.[1];
    for (const file of [workflow, readmeWorkflow ?? '']) {
      const jobSteps = (parse(file) as { jobs: { simulate: { steps: Step[] } } }).jobs.simulate.steps;
      const ours = jobSteps.findIndex((step) => step.uses?.startsWith('myfav-coworker/myfav-coworker@'));
      expect(ours).toBeGreaterThan(0);
      expect(jobSteps.slice(0, ours).some(isSetupNode24)).toBe(true);
    }
  });

  it('the example runs on pull_request (a fork gets no secrets), never pull_request_target', () => {
    expect(workflow).toMatch(/^on:\n {2}pull_request:/m);
    const code = workflow.replace(/#.*$/gm, '');
    expect(code).not.toMatch(/pull_request_target/);
    expect(workflow).toMatch(/pull-requests: write/);
    expect(workflow).toMatch(/statuses: write/);
  });
});
