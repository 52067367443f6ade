// The Report of a `simulate --json` run: its answer (get_simulation's fields) names the report.json.
import { readFileSync } from 'node:fs';

export function reportOf(stdout) {
  let view;
  try {
    view = JSON.parse(stdout);
  } catch {
    throw new Error(`simulate --json printed no JSON: ${stdout.slice(0, 500)}`);
  }
  const file = view.artifacts?.report_json;
  if (!file) throw new Error(`simulate --json named no report.json: ${stdout.slice(0, 500)}`);
  return JSON.parse(readFileSync(file, 'utf8'));
}
