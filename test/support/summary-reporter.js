// Ends jest's output with the tests skipped because a tool is missing, each with why and the command that installs
// it, then one plain line, `N passed, N failed, N skipped`, which CI systems that do not understand jest's own summary
// can read. jest shows a test file's console output only when that file runs alone, so a skipped suite says why
// through the title of a skipped test (test/support/skip.ts), which every run reports here.

/** The title prefix of the skipped test that stands for a suite whose tool is missing (see test/support/skip.ts). */
const SKIPPED_BECAUSE = 'SKIPPED because ';

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const path = require('node:path');
    const reasons = results.testResults.flatMap((file) =>
      file.testResults
        .filter((test) => test.status === 'pending' && test.title.startsWith(SKIPPED_BECAUSE))
        .map((test) => `  ${path.relative(this.rootDir, file.testFilePath)}: ${[...test.ancestorTitles, ''].join(' > ')}${test.title.slice(SKIPPED_BECAUSE.length)}`),
    );
    const skipped = reasons.length === 0 ? '' : `\nSkipped, a tool is missing (CI sets REQUIRE_INTEGRATION_TOOLS=1 and fails instead):\n${[...new Set(reasons)].join('\n')}\n`;
    process.stdout.write(`${skipped}\n${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
module.exports.SKIPPED_BECAUSE = SKIPPED_BECAUSE;
