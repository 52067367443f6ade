// Kept apart from the config schema (and zod): the report model builds its list of finding kinds on it,
// and commands that only read reports (`jobs`) should not load the schema to get a list of names.

/**
 * Finding kinds a user may silence with an `ignore` rule (the same names as in report.json). The report's
 * `findingKinds` are these and the kinds that have settings of their own (report/model.ts).
 */
export const ignorableKinds = [
  'page-error',
  'console-error',
  'failed-request',
  'broken-link',
  'http-error',
  'page-unreachable',
  'blank-page',
  'slow-page',
  'agent',
] as const;
