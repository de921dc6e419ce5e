// Mutation testing of the proof engines and of what they prove: `npm run mutation [target ...]` (scripts/mutation.js)
// runs Stryker once per target below, each mutating its files against only the tests that cover them, so a run stays
// short on a small machine. Not part of `npm test`. Scores per file are in the README ("Mutation testing").
//
// Integration tests (real PostgreSQL, promtool, ...) are left out: they take seconds per mutant.
// TypeScript 7 has no JavaScript API, so there is no typescript-checker: a mutant that does not type-check is run
// anyway (Stryker marks files `// @ts-nocheck`, swc strips the types), and `tsconfigFile` names no file, so Stryker
// does not load `typescript` to rewrite tsconfig.json (it has no `extends` or `references` to rewrite anyway).

/** target -> the files it mutates and the unit tests that cover them. */
export const TARGETS = {
  'network-evaluator': { mutate: ['lib/analysis/network-evaluator.ts'], tests: ['test/network-evaluator.test.ts'] },
  'rbac-evaluator': { mutate: ['lib/analysis/rbac-evaluator.ts'], tests: ['test/rbac-evaluator.test.ts', 'test/rbac-evaluation.test.ts'] },
  'pg-hba': { mutate: ['lib/constructs/pg-hba.ts'], tests: ['test/pg-hba.test.ts', 'test/seed-failures.test.ts'] },
  rbac: { mutate: ['lib/constructs/rbac.ts'], tests: ['test/rbac-evaluation.test.ts', 'test/seed-failures.test.ts'] },
  // The flows, declared once (lib/model/flows.ts), and the NetworkPolicies built from them.
  'network-constructs': {
    mutate: ['lib/model/flows.ts', 'lib/constructs/network-policies.ts'],
    tests: ['test/network-policies.test.ts', 'test/network-contract.test.ts', 'test/seed-failures.test.ts'],
  },
  'rules-configuration': {
    mutate: ['lib/rules/cluster.ts', 'lib/rules/environment.ts', 'lib/rules/network.ts', 'lib/rules/exporter.ts', 'lib/rules/text.ts'],
    tests: ['test/validation.test.ts', 'test/rule-boundaries.test.ts', 'test/platform-rules.test.ts'],
  },
  // Apart: test/gitops.test.ts synthesizes outside its tests, which makes every mutant of every rule "static" (run
  // against all tests of the target, whoever covers it).
  'rules-gitops': { mutate: ['lib/rules/gitops.ts'], tests: ['test/gitops.test.ts', 'test/rule-boundaries.test.ts'] },
  'rules-backup-tls-fleet': {
    mutate: ['lib/rules/backup.ts', 'lib/rules/tls.ts', 'lib/rules/fleet.ts'],
    tests: ['test/backup.test.ts', 'test/tls.test.ts', 'test/fleet.test.ts', 'test/validation.test.ts', 'test/rule-boundaries.test.ts'],
  },
  // What the platform refuses only later (issue 15): volumes, memory, the failover budget, placeholders, defaults removed.
  'rules-platform': {
    mutate: ['lib/rules/volume.ts', 'lib/rules/memory-budget.ts', 'lib/rules/failover-budget.ts', 'lib/rules/placeholders.ts', 'lib/rules/default-parameters.ts'],
    tests: ['test/platform-rules.test.ts', 'test/failover-budget.test.ts', 'test/placeholders.test.ts', 'test/default-parameters.test.ts', 'test/rule-boundaries.test.ts'],
  },
  // lib/rules/postgres15-settings.ts is a generated catalogue (data, `npm run generate:pg-settings`): not mutated.
  'rules-settings': {
    mutate: ['lib/rules/postgres-settings.ts', 'lib/rules/server-settings.ts', 'lib/rules/connection-budget.ts', 'lib/rules/spilo-only-settings.ts', 'lib/rules/settings-catalogue.ts'],
    tests: ['test/postgres-settings.test.ts', 'test/rule-boundaries.test.ts'],
  },
};

// MUTATION_TARGET (set by scripts/mutation.js) picks one target; without it (`npx stryker run`), all in one run.
const name = process.env.MUTATION_TARGET ?? 'all';
const all = Object.values(TARGETS);
const target = name === 'all' ? { mutate: all.flatMap((t) => t.mutate), tests: [...new Set(all.flatMap((t) => t.tests))] } : TARGETS[name];
if (target === undefined) {
  throw new Error(`MUTATION_TARGET must be one of ${Object.keys(TARGETS).join(', ')} (got ${JSON.stringify(name)}): run \`npm run mutation [target ...]\``);
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // Only the unit tests that cover the target; everything else of jest.config.js (the swc transform) as in npm test.
    config: { testMatch: target.tests.map((test) => `<rootDir>/${test}`), reporters: ['default'] },
    // The tests are chosen above; jest's --findRelatedTests misses those that reach a construct through the synth.
    enableFindRelatedTests: false,
  },
  coverageAnalysis: 'perTest',
  mutate: target.mutate,
  tsconfigFile: 'no-tsconfig-rewrite.json',
  checkers: [],
  concurrency: 2,
  timeoutMS: 10000,
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowColor: false, reportTests: false },
  // dist/ stays: a test checks the GitOps paths exist.
  ignorePatterns: ['.tools', 'bench', 'reports', '.build'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
