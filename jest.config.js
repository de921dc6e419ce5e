// `npm test` runs jest under `node --no-opt` (its workers inherit the flag): a test file is a short program, and
// V8's optimizing compiler spent more CPU on it than it saved, about 15% of the unit suite on 2 cores
// (`npm run bench`).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Every core: jest's default leaves one idle, which on a 2-core machine halves the suite's speed.
  maxWorkers: '100%',
  // A worker whose memory passes this after a test file is replaced (none comes near it). It also keeps jest from
  // running everything in its own process when there are 20 test files or fewer that were fast last time (its
  // heuristic): in band, the unit suite takes about 6 s here instead of 4.5 s.
  workerIdleMemoryLimit: '1GB',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
};
