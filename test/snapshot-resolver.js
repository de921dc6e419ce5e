// Keeps every jest snapshot in the top-level __snapshots__/ folder, where reviewers find them in one place:
// test/foo.test.ts <-> __snapshots__/foo.test.ts.snap
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const SNAPSHOTS = path.join(ROOT, '__snapshots__');
const TESTS = path.join(ROOT, 'test');

module.exports = {
  resolveSnapshotPath: (testPath, extension) => path.join(SNAPSHOTS, path.relative(TESTS, testPath) + extension),
  resolveTestPath: (snapshotPath, extension) => path.join(TESTS, path.relative(SNAPSHOTS, snapshotPath).slice(0, -extension.length)),
  testPathForConsistencyCheck: path.join(TESTS, 'example.test.ts'),
};
