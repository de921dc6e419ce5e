// `npm run test:edits`: the six edits of issue 12 applied to a copy of the project, whose whole `npm test` then runs
// (twice: with -u, then as CI runs it). Not part of `npm test`, which it runs itself; CI runs it after `npm test`.
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/edits/*.edits.ts'],
  reporters: ['default'],
  // Two whole runs of npm test in the copy.
  testTimeout: 30 * 60 * 1000,
};
